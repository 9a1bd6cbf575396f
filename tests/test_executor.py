"""The query threads' time limits, measured on real threads (work that sleeps stands for a
query that runs long)."""

from __future__ import annotations

import asyncio
import time

import pytest

from api.executor import Job, QueryRunner, QueryTimeoutError, Stream
from graph.store import OxigraphStore

LIMIT = 0.3


@pytest.fixture
def runner() -> QueryRunner:
    calls: list[str] = []
    made = QueryRunner(OxigraphStore(), timeout=LIMIT, threads=1,
                       on_runaway=lambda: calls.append("retire"))
    made.retirements = calls  # type: ignore[attr-defined]
    yield made
    made.close()


def test_an_answer_comes_back_and_an_error_comes_without_its_traceback(runner: QueryRunner) -> None:
    def fails() -> None:
        try:
            {}["missing"]
        except KeyError as exc:
            raise ValueError("bad") from exc

    async def scenario() -> None:
        assert await runner.run_async(lambda: 41 + 1, "sum") == 42
        with pytest.raises(ValueError, match="bad") as caught:
            await runner.run_async(fails, "fails")
        # the chain's tracebacks (frames of the query thread) were dropped there
        assert isinstance(caught.value.__cause__, KeyError)
        assert caught.value.__cause__.__traceback__ is None

    asyncio.run(scenario())
    assert runner.run_blocking(lambda: "ok", "ok") == "ok"
    assert not runner.runaway


def test_a_query_past_the_limit_is_abandoned_and_the_worker_retires(runner: QueryRunner) -> None:
    async def scenario() -> float:
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match="ran past the limit"):
            await runner.run_async(lambda: time.sleep(3 * LIMIT), "sleeps")
        return time.monotonic() - started

    waited = asyncio.run(scenario())
    assert LIMIT <= waited < 2 * LIMIT
    assert runner.runaway
    assert runner.retirements == ["retire"]


def test_a_task_waiting_for_a_thread_is_withdrawn_and_one_started_late_gets_its_time(
        runner: QueryRunner) -> None:
    async def scenario() -> tuple[object, object, object]:
        busy = asyncio.ensure_future(runner.run_async(lambda: time.sleep(0.6 * LIMIT), "a"))
        await asyncio.sleep(0.01)
        # Starts ~0.6 LIMIT late, then runs 0.6 LIMIT: past LIMIT in all, within it once started.
        late = asyncio.ensure_future(runner.run_async(lambda: time.sleep(0.6 * LIMIT) or "late",
                                                      "b"))
        return await asyncio.gather(busy, late, return_exceptions=True)

    assert asyncio.run(scenario())[1] == "late"
    assert not runner.runaway

    async def starved() -> object:
        hog = asyncio.ensure_future(runner.run_async(lambda: time.sleep(2 * LIMIT), "hog"))
        await asyncio.sleep(0.01)
        waiting = runner.run_async(lambda: "never", "waits")
        results = await asyncio.gather(waiting, hog, return_exceptions=True)
        return results[0]

    refused = asyncio.run(starved())
    assert isinstance(refused, QueryTimeoutError)
    assert "no query thread free" in str(refused)


def test_run_blocking_keeps_the_same_limit(runner: QueryRunner) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="ran past the limit"):
        runner.run_blocking(lambda: time.sleep(3 * LIMIT), "sleeps")
    assert LIMIT <= time.monotonic() - started < 2 * LIMIT
    assert runner.runaway


def test_a_small_answer_is_whole_and_a_large_one_streams() -> None:
    store = OxigraphStore()
    store.update("INSERT DATA { GRAPH <urn:g> { "
                 + " ".join(f"<urn:s{i}> <urn:p> \"{'x' * 200}{i}\" ." for i in range(8000))
                 + " } }")
    runner = QueryRunner(store, timeout=10)

    async def scenario() -> tuple[bytes, bytes]:
        small = await runner.run(Job("SELECT * { ?s ?p ?o } LIMIT 3", accept="text/csv"))
        large = await runner.run(Job("SELECT * { ?s ?p ?o }", accept="text/csv"))
        assert isinstance(large, Stream)
        assert not isinstance(small, Stream)
        return small.body, b"".join([chunk async for chunk in large.chunks()])

    try:
        small, large = asyncio.run(scenario())
    finally:
        runner.close()
    assert small.count(b"\n") == 4  # header + 3 rows
    assert large.count(b"\n") == 8001
    assert len(large) > 1 << 20
