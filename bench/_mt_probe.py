"""Where a small shop's stock change spends its time, and which process burns the CPU (used by
`bench/multi_tenant.py`; not a benchmark itself).

- `cpu_seconds(pids)`: user + system CPU seconds of each process so far (Linux /proc), so a
  phase's CPU per process is the difference of two readings;
- stage breakdown (`stages`): from the app's own database, per stock change of the small shops
  in a phase: webhook acknowledged → processed (the receipt's `received_at` → `processed_at`:
  the `inventory_levels/update` handler defers the push job in that transaction), job deferred
  → started (queue wait) → finished (lease, TikTok call, finish). The job times come from a
  trigger the benchmark adds to *its own* database (`install_job_trace`, scale-out only):
  procrastinate deletes successful jobs, and with them their events. The trigger costs one
  small INSERT per job event; runs without `--breakdown` do not have it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from benchlib import pct
from sqlalchemy import select, text

from ecomsend.db.models import WebhookReceipt

_TICK = os.sysconf("SC_CLK_TCK")

#: A copy of each procrastinate job event with the wall-clock time it happened and the job's
#: sync row (procrastinate's own `at` is the transaction's start).
_TRACE_DDL = [
    """CREATE TABLE IF NOT EXISTS bench_job_trace (
         job_id bigint, type text, at timestamptz, task text, sync_state_id bigint)""",
    """CREATE OR REPLACE FUNCTION bench_trace_event() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO bench_job_trace
           SELECT NEW.job_id, NEW.type::text, clock_timestamp(), j.task_name,
                  (j.args->>'sync_state_id')::bigint
           FROM procrastinate_jobs j WHERE j.id = NEW.job_id;
         RETURN NEW;
       END $$""",
    """CREATE OR REPLACE TRIGGER bench_trace AFTER INSERT ON procrastinate_events
       FOR EACH ROW EXECUTE FUNCTION bench_trace_event()""",
    # A successful job is deleted (delete_jobs="successful"), with no event of its own.
    """CREATE OR REPLACE FUNCTION bench_trace_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO bench_job_trace VALUES (OLD.id, 'deleted', clock_timestamp(),
           OLD.task_name, (OLD.args->>'sync_state_id')::bigint);
         RETURN OLD;
       END $$""",
    """CREATE OR REPLACE TRIGGER bench_trace_delete AFTER DELETE ON procrastinate_jobs
       FOR EACH ROW EXECUTE FUNCTION bench_trace_delete()""",
]

_JOB_TIMES = text("""
    WITH ev AS (
      SELECT t.job_id,
             min(t.at) FILTER (WHERE t.type = 'deferred') AS deferred,
             min(t.at) FILTER (WHERE t.type = 'started') AS started,
             min(t.at) FILTER (WHERE t.type IN ('succeeded', 'failed', 'deleted')) AS done,
             bool_or(t.type = 'scheduled') AS scheduled
      FROM bench_job_trace t JOIN sync_state s ON s.id = t.sync_state_id
      WHERE t.task = 'sync_entity' AND s.kind = 'inventory'
        AND s.tiktok_shop_id = ANY(:shops)
      GROUP BY t.job_id)
    SELECT EXTRACT(EPOCH FROM started - deferred) * 1000,
           EXTRACT(EPOCH FROM done - started) * 1000
    FROM ev WHERE NOT scheduled AND deferred >= to_timestamp(:t0)
      AND deferred < to_timestamp(:t1) AND started IS NOT NULL AND done IS NOT NULL""")

_BACKENDS = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds (user + system) so far of each named group of processes; a process that
    is gone counts 0 (compare two readings of the same live processes)."""
    out: dict[str, float] = {}
    for name, group in pids.items():
        total = 0.0
        for pid in group:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
        out[name] = total
    return out


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores, any process: other work on a
    shared machine shows here and not in `cpu_seconds`)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / _TICK


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each group spent between two `cpu_seconds` readings."""
    return {k: round(after[k] - before.get(k, 0.0), 1) for k in after}


async def postgres_backends(db: Any) -> list[int]:
    """Pids of the PostgreSQL backends connected to the benchmark's database now (the app's
    pools keep theirs open, so they are the same for a whole phase)."""
    async with db.sessionmaker() as session:
        return [int(p) for p in (await session.execute(_BACKENDS)).scalars()]


async def install_job_trace(db: Any) -> None:
    """Add the job-event trace trigger to the benchmark's PostgreSQL database."""
    async with db.unit_of_work() as session:
        for ddl in _TRACE_DDL:
            await session.execute(text(ddl))


async def stages(db: Any, domains: list[str], tts_pks: list[int], t0: float, t1: float,
                 jobs: bool) -> dict[str, Any]:
    """p50/p99 (ms) of each stage of the small shops' stock changes between epoch t0 and t1."""
    async with db.sessionmaker() as session:
        receipts = (await session.execute(select(
            WebhookReceipt.received_at, WebhookReceipt.processed_at).where(
            WebhookReceipt.platform == "shopify",
            WebhookReceipt.topic == "inventory_levels/update",
            WebhookReceipt.shop_key.in_(domains), WebhookReceipt.processed_at.is_not(None),
            WebhookReceipt.received_at >= _at(t0), WebhookReceipt.received_at < _at(t1)))).all()
        waits = [(done - got).total_seconds() * 1000 for got, done in receipts]
        rows = (await session.execute(_JOB_TIMES, {"shops": tts_pks, "t0": t0, "t1": t1})
                ).all() if jobs else []
    out: dict[str, Any] = {"webhook_ack_to_processed": _summary(waits)}
    if jobs:
        out["job_queue_wait"] = _summary([float(r[0]) for r in rows])
        out["job_run"] = _summary([float(r[1]) for r in rows])
    return out


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _summary(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99)}
