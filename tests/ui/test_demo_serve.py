"""`ecomsend demo --headless --serve`: after the report line it prints `{"admin_url": …}` once
the admin is ready; that link signs a browser in on Home for the demo shop; SIGTERM stops it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from playwright.async_api import Browser, expect


async def _read_json_line(proc: asyncio.subprocess.Process, key: str) -> dict[str, object]:
    assert proc.stdout is not None
    while True:
        line = await proc.stdout.readline()
        assert line, "the demo exited before printing " + key
        text = line.decode().strip()
        if text.startswith("{") and key in text:
            value: dict[str, object] = json.loads(text)
            return value


async def test_demo_serve_prints_a_sign_in_link_to_home(browser: Browser,
                                                        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ECOMSEND_") and k != "DATABASE_URL"}
    env["ECOMSEND_VAR_DIR"] = str(tmp_path)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ecomsend", "demo", "--headless", "--products", "6", "--serve",
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        async with asyncio.timeout(240):
            report = await _read_json_line(proc, '"products"')
            admin = await _read_json_line(proc, '"admin_url"')
        assert isinstance(report["products"], dict) and report["products"]["total"] == 6
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(str(admin["admin_url"]))
        await expect(page.get_by_role("heading", level=1, name="Home")).to_be_visible()
        session = await page.evaluate("() => fetch('/api/session').then(r => r.json())")
        assert session["shop"] == "ecomsend-demo.myshopify.com"
        assert len(session["connections"]) == 1
        await context.close()
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
