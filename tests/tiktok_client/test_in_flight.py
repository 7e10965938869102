"""The in-flight cap: a floor of 3 until answers come back, growing with the fastest round trip,
and a fourth caller held until one of three answers."""

from __future__ import annotations

import asyncio

from ecomsend.integrations.tiktok.in_flight import MIN_IN_FLIGHT, InFlightGate


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_fourth_call_waits_until_one_of_three_answers() -> None:
    gate = InFlightGate(rate_per_s=46)
    release = asyncio.Event()
    entered: list[int] = []

    async def call(i: int) -> None:
        async with gate.slot("api") as sent:
            entered.append(i)
            sent()
            await release.wait()

    tasks = [asyncio.create_task(call(i)) for i in range(MIN_IN_FLIGHT + 1)]
    await asyncio.sleep(0.05)
    assert len(entered) == MIN_IN_FLIGHT
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(entered) == list(range(MIN_IN_FLIGHT + 1))


async def test_cap_grows_with_a_slow_network_and_ignores_one_stall() -> None:
    clock = FakeClock()
    gate = InFlightGate(rate_per_s=46, clock=clock)
    for rtt in (0.3, 0.3, 5.0):  # a real TikTok round trip twice, then one stalled answer
        async with gate.slot("api") as sent:
            sent()
            clock.now += rtt
    # 46/s × (0.3 s + 1/46 s) × 2 headroom → 30: full rate stays reachable at 300 ms
    assert gate.cap("api") == 30
    assert gate.cap("other api") == MIN_IN_FLIGHT


async def test_the_wait_for_a_token_is_not_timed_as_round_trip() -> None:
    clock = FakeClock()
    gate = InFlightGate(rate_per_s=46, clock=clock)
    async with gate.slot("api") as sent:
        clock.now += 10.0  # queued behind the bucket
        sent()
        clock.now += 0.001
    assert gate.cap("api") == MIN_IN_FLIGHT
