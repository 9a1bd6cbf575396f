"""Where queries run: in the serving process, on a few threads (pyoxigraph releases the GIL
while it evaluates, so the event loop keeps answering), with a time limit, a cap on rows and a
cache of answers.

pyoxigraph cannot stop a query once it runs. A query past the time limit is answered ``503``
and its thread left to finish; the process then *retires*: it stops taking connections,
finishes the requests it has and exits, and ``maillage serve``'s supervisor starts a fresh one
(see :mod:`api.serve`). A query that crashes the engine or exhausts the worker's memory cap
takes down its process only; the supervisor replaces it too. This is the pre-fork model
(gunicorn's ``--timeout``): isolation per process, no per-query hop between processes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from graph.errors import MaillageError
from graph.store import RESULT_FORMATS, OxigraphStore, QueryResult, mask_sparql

log = logging.getLogger("maillage.executor")
T = TypeVar("T")


class QueryTimeoutError(MaillageError):
    """A query that ran past the time limit (its answer is abandoned)."""


class QueryCrashedError(MaillageError):
    """A query that made the engine fail."""


class NotAcceptableError(MaillageError):
    """No serialization of the result matches what the client accepts."""


@dataclass(frozen=True)
class Job:
    """A query to run and how to serialize its result."""

    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    fmt: str | None = None
    accept: str | None = None


@dataclass(frozen=True)
class Answer:
    """A serialized result. ``truncated``: rows were left out at the row cap."""

    media_type: str
    body: bytes
    truncated: bool = False


# The smallest a row can be in each serialization: a body shorter than cap × this cannot hold
# ``cap`` rows, so only longer ones need the check for a row past the cap.
_MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 2, "ttl": 6, "nt": 10, "jsonld": 10,
                  "trig": 6, "nq": 10}
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)
# Brackets, and the keywords that end a query, as words (not ?limit, ex:values…).
_TAIL_SCAN = re.compile(r"[{}()]|(?<![\w?$:])(?:LIMIT|OFFSET|VALUES)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\s*([0-9]+)")
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def cap_rows(sparql: str, cap: int) -> tuple[str, str] | None:
    """The query cut to ``cap`` top-level solutions, and the query for the solution just past
    the cap (to tell whether anything was cut); ``None`` when nothing needs cutting (an ASK,
    or the query's own ``LIMIT`` is within the cap). The query's ``OFFSET`` is kept; its
    ``LIMIT`` beyond the cap is lowered.

    >>> cap_rows("SELECT * WHERE { ?s ?p ?o }", 10)
    ('SELECT * WHERE { ?s ?p ?o } LIMIT 10', 'SELECT * WHERE { ?s ?p ?o } OFFSET 10 LIMIT 1')
    >>> cap_rows("SELECT * WHERE { ?s ?p ?o } OFFSET 5 LIMIT 500 VALUES ?s { <urn:a> }", 10)[0]
    'SELECT * WHERE { ?s ?p ?o } OFFSET 5 LIMIT 10 VALUES ?s { <urn:a> }'
    >>> cap_rows("SELECT * WHERE { ?s ?p ?o } LIMIT 5", 10) is None
    True
    """
    masked = mask_sparql(sparql)
    form = _FORM.search(masked)
    if form is None or form.group(1).upper() == "ASK":
        return None
    depth, clauses, tail = 0, {}, len(sparql)
    for match in _TAIL_SCAN.finditer(masked, form.end()):
        token = match.group(0)
        if token in "{(":
            depth += 1
        elif token in "})":
            depth -= 1
        elif depth == 0 and token.upper() == "VALUES":
            tail = match.start()
            break
        elif depth == 0:
            number = _NUMBER.match(masked, match.end())
            if number is None:
                return None  # not a query the engine would accept: let it say so
            clauses[token.upper()] = (match.start(), number.end(), int(number.group(1)))
    limit = clauses.get("LIMIT", (0, 0, None))[2]
    if limit is not None and limit <= cap:
        return None
    offset = clauses.get("OFFSET", (0, 0, 0))[2]
    spans = sorted((a, b) for a, b, _ in clauses.values())
    head = sparql[:spans[0][0]] if spans else sparql[:tail]
    rest = sparql[spans[-1][1]:] if spans else sparql[tail:]
    head = head.rstrip()
    rest = f" {rest}" if rest and not rest[0].isspace() else rest
    window = f" OFFSET {offset} LIMIT {cap}" if offset else f" LIMIT {cap}"
    beyond = f" OFFSET {offset + cap} LIMIT 1"
    return head + window + rest, head + beyond + rest


def answer(store: OxigraphStore, job: Job, max_rows: int = 0,
           sink: Sink | None = None) -> Answer | None:
    """Run ``job`` on ``store`` and serialize the result as negotiated, by the store.

    With ``max_rows``, at most that many solutions are returned; ``truncated`` says whether
    more existed (checked by asking for the next one, only when the body is long enough to hold
    ``max_rows`` rows). With a ``sink``, the serialization is written there: the answer is
    returned if it stayed small, ``None`` if the sink streamed it.
    """
    from api.negotiation import choose

    capped = cap_rows(job.sparql, max_rows) if max_rows else None
    options = {"default_graphs": list(job.default_graphs) or None,
               "named_graphs": list(job.named_graphs) or None}
    result = store.query(capped[0] if capped else job.sparql, **options)
    chosen = choose(result.kind, job.fmt, job.accept)
    if chosen is None:
        raise NotAcceptableError(f"no serialization of a {result.kind.upper()} result matches "
                                 "the Accept header or format parameter")

    def cut() -> bool:
        return capped is not None and _has_any(store.query(capped[1], **options))

    if sink is None:
        body = result.serialize(chosen[0]) or b""
    else:
        sink.media_type, sink.check = chosen[1], cut
        try:
            result.serialize(chosen[0], output=sink)
        finally:
            body = sink.close()
        if body is None:
            return None
    truncated = bool(capped) and len(body) >= max_rows * _MIN_ROW_BYTES[chosen[0]] \
        and _reaches(body, result.kind, chosen[0], max_rows) and cut()
    return Answer(chosen[1], body, truncated)


def _reaches(body: bytes, kind: str, fmt: str, rows: int) -> bool:
    """Whether a serialized SELECT result holds ``rows`` solutions (read back by the store's
    parser: far cheaper than evaluating the query again to look past the cap). Other
    results are assumed to, and checked."""
    if kind != "select" or fmt not in ("json", "xml", "tsv"):  # CSV does not read back
        return True
    solutions = ox.parse_query_results(body, format=RESULT_FORMATS[fmt])
    return sum(1 for _ in itertools.islice(solutions, rows)) >= rows


def _has_any(result: QueryResult) -> bool:
    return next(iter(result.raw), None) is not None


def is_volatile(sparql: str) -> bool:
    """Whether the query calls a function whose value changes between runs (``NOW()``,
    ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``): its answers must not be reused."""
    return _VOLATILE.search(mask_sparql(sparql)) is not None


class AnswerCache:
    """Values by key, least recently used out first, bounded by the sum of their sizes."""

    def __init__(self, max_bytes: int, max_entry_bytes: int = 1 << 20) -> None:
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: object, size: int) -> None:
        """Keep ``value`` unless it is over the per-entry limit."""
        if size > min(self.max_entry_bytes, self.max_bytes):
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes += size - (old[1] if old else 0)
            self._entries[key] = (value, size)
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted


STREAM_AFTER = 1 << 20  # bytes of serialization kept whole; past it, streamed
_CHUNK = 1 << 16


class Sink:
    """Where the store writes a serialization, on a query thread. Kept whole while under
    ``STREAM_AFTER``; past it, the thread checks the row cap (``check``), tells the event loop
    (``started``) and hands it 64 KiB chunks through a small queue, waiting while the client
    is slow (time not counted against the query's limit: ``waited``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, started: asyncio.Future) -> None:
        self.loop, self.started = loop, started
        self.media_type = ""
        self.check: Callable[[], bool] = lambda: False
        self.truncated = False
        self.queue: asyncio.Queue[bytes | None] | None = None
        self.waited = 0.0
        self.cancelled = False
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        if self.cancelled:
            raise OSError("the client went away")
        self._parts.append(bytes(data))
        self._size += len(data)
        if self.queue is None and self._size > STREAM_AFTER:
            self.truncated = self.check()
            self.queue = asyncio.Queue(maxsize=16)
            self.loop.call_soon_threadsafe(_resolve, self.started)
            self._push()
        elif self.queue is not None and self._size >= _CHUNK:
            self._push()
        return len(data)

    def flush(self) -> None:
        pass

    def _push(self, end: bool = False) -> None:
        chunk = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        t0 = time.monotonic()
        for item in ([chunk] if chunk else []) + ([None] if end else []):
            asyncio.run_coroutine_threadsafe(self.queue.put(item), self.loop).result()
        self.waited += time.monotonic() - t0

    def close(self) -> bytes | None:
        """End of the serialization (or its failure): the whole body if it was not streamed."""
        if self.queue is None:
            return b"".join(self._parts)
        if not self.cancelled:
            self._push(end=True)
        return None

    def cancel(self) -> None:
        """The loop stops reading: unblock the writer, whose next write fails."""
        self.cancelled = True
        while self.queue is not None and not self.queue.empty():
            self.queue.get_nowait()


class _Task:
    """A piece of work for a query thread: ``settle(result, error)`` is called on that thread
    when it ends; ``started`` is when a thread took it (``None`` while it waits)."""

    __slots__ = ("cancelled", "settle", "started", "timer", "work")

    def __init__(self, work: Callable[[], object],
                 settle: Callable[[object, BaseException | None], None]) -> None:
        self.work, self.settle = work, settle
        self.started: float | None = None
        self.cancelled = False
        self.timer: asyncio.TimerHandle | None = None


class QueryThreads:
    """A few threads taking tasks from one queue. Leaner than a ``ThreadPoolExecutor``: a
    thread settles its task and goes straight back to the queue (releasing the GIL), so the
    event loop and the thread hand over to each other once each way. Measured (session 4, a
    no-op task awaited from a uvloop loop, 5,000 times, on the 2-core machine): ~60 µs of CPU
    per hop through the executor, ~27 µs through this."""

    def __init__(self, size: int, name: str = "query") -> None:
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._claim = threading.Lock()  # a task is either cancelled or started, never both
        self._threads = [threading.Thread(target=self._serve, name=f"{name}_{i}", daemon=True)
                         for i in range(size)]
        for thread in self._threads:
            thread.start()

    def submit(self, work: Callable[[], object],
               settle: Callable[[object, BaseException | None], None]) -> _Task:
        task = _Task(work, settle)
        self._queue.put(task)
        return task

    def cancel(self, task: _Task) -> bool:
        """Withdraw a task no thread has taken yet (``False`` once one has)."""
        with self._claim:
            if task.started is None:
                task.cancelled = True
            return task.cancelled

    def close(self) -> None:
        """Let the threads end once they finish what they run (they do not hold up an exit)."""
        for _ in self._threads:
            self._queue.put(None)

    def _serve(self) -> None:
        while (task := self._queue.get()) is not None:
            with self._claim:
                if task.cancelled:
                    continue
                task.started = time.monotonic()
            try:
                result, error = task.work(), None
            except BaseException as exc:
                result, error = None, _stripped(exc)
            try:
                task.settle(result, error)
            except RuntimeError:  # the loop that waited is closed: nobody needs the answer
                log.debug("answer dropped: its event loop is closed")
            # Engine objects are dropped on the thread that made them.
            del task, result, error


def _stripped(error: BaseException) -> BaseException:
    """``error`` without the tracebacks of its chain, whose frames would carry engine objects
    (which must be dropped on the thread that made them) to the thread that reads it."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return error


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _settle(future: asyncio.Future, result: object, error: BaseException | None) -> None:
    if future.done():  # timed out or abandoned: the answer is dropped
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class Stream:
    """An answer too large to keep whole: its chunks come as the store writes them."""

    media_type: str
    truncated: bool
    sink: Sink
    runner: QueryRunner
    job: Job
    work: asyncio.Future
    started: float

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body, chunk by chunk, within the query's time limit (time spent waiting for the
        client left out).

        :raises QueryTimeoutError: past the limit (the answer is then cut short).
        """
        queue = self.sink.queue
        assert queue is not None
        try:
            while True:
                left = self.started + self.runner.timeout + self.sink.waited - time.monotonic()
                try:
                    chunk = await asyncio.wait_for(queue.get(), max(left, 0.001))
                except TimeoutError:
                    self.runner._runaway(self.job)
                    raise QueryTimeoutError("the answer ran past the time limit") from None
                if chunk is None:
                    break
                yield chunk
            await self.work  # raises what the writer raised
        finally:
            self.sink.cancel()


class QueryRunner:
    """Runs jobs on ``threads`` threads of this process with a time limit of ``timeout``
    seconds (execution only: the wait for a free thread is bounded separately) and
    ``max_rows`` per answer. ``on_runaway`` is called once when a query outlives its time (the
    server then retires this process)."""

    def __init__(self, store: OxigraphStore, *, timeout: float = 10.0, threads: int = 4,
                 max_rows: int = 0, on_runaway: Callable[[], None] | None = None) -> None:
        self.store, self.timeout, self.max_rows = store, timeout, max_rows
        self.on_runaway = on_runaway
        self.runaway = False
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, once it runs
        self._size = threads
        self._threads: QueryThreads | None = None

    async def run(self, job: Job, store: OxigraphStore | None = None) -> Answer | Stream:
        """Run ``job`` on a query thread and wait for it within the time limit: the whole
        answer, or a :class:`Stream` once its serialization passes ``STREAM_AFTER``.

        :raises QueryTimeoutError: past the limit, or no thread free within it.
        """
        loop = asyncio.get_running_loop()
        first, done = loop.create_future(), loop.create_future()  # answer or stream; the end
        sink = Sink(loop, first)

        def settle(result: object, error: BaseException | None) -> None:
            loop.call_soon_threadsafe(_ended, first, done, result, error)

        task = self._pool.submit(
            lambda: answer(store or self.store, job, self.max_rows, sink), settle)
        result = await self._within(task, first, job.sparql, sink.cancel)
        if result is not None:
            return result  # type: ignore[return-value]
        # Streaming (or streamed and already finished: the sink holds the whole body).
        assert task.started is not None
        return Stream(sink.media_type, sink.truncated, sink, self, job, done, task.started)

    async def run_async(self, work: Callable[[], T], what: str) -> T:
        """For an ``async`` route: run ``work`` on a query thread within the time limit.

        :raises QueryTimeoutError: past the limit, or no thread free within it.
        """
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def settle(result: object, error: BaseException | None) -> None:
            loop.call_soon_threadsafe(_settle, future, result, error)

        return await self._within(self._pool.submit(work, settle), future, what)  # type: ignore[return-value]

    def run_blocking(self, work: Callable[[], T], what: str) -> T:
        """For synchronous code on another thread (the REST routes): run ``work`` on a query
        thread within the time limit and return what it returns.

        :raises QueryTimeoutError: past the limit, or no thread free within it.
        """
        future: Future[T] = Future()

        def settle(result: object, error: BaseException | None) -> None:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)  # type: ignore[arg-type]

        task = self._pool.submit(work, settle)
        wait = self.timeout
        while True:
            try:
                return future.result(timeout=wait)
            except FutureTimeout:
                verdict = self._verdict(task, what)
                if isinstance(verdict, QueryTimeoutError):
                    raise verdict from None
                wait = verdict

    async def _within(self, task: _Task, future: asyncio.Future, what: str,
                      on_abandon: Callable[[], None] | None = None) -> object:
        """Wait for ``future`` (settled by ``task``) within the time limit: a timer, not a
        polling loop, since it almost never fires."""
        loop = asyncio.get_running_loop()

        def expire() -> None:
            if future.done():
                return
            verdict = self._verdict(task, what, on_abandon)
            if isinstance(verdict, QueryTimeoutError):
                future.set_exception(verdict)
            else:
                task.timer = loop.call_later(verdict, expire)

        task.timer = loop.call_later(self.timeout, expire)
        try:
            return await future
        finally:
            task.timer.cancel()

    def _verdict(self, task: _Task, what: str,
                 on_abandon: Callable[[], None] | None = None) -> float | QueryTimeoutError:
        """What a wait for ``task`` past its deadline comes to: the seconds it may still run
        (it started late: it gets its full time), or the error that ends the wait — withdrawn
        while no thread was free, or abandoned past the limit (``on_abandon`` is called and
        the worker retires)."""
        if task.started is None and self._pool.cancel(task):
            return QueryTimeoutError(f"no query thread free within {self.timeout:g} s; try again")
        left = task.started + self.timeout - time.monotonic()  # type: ignore[operator]
        if left > 0:
            return left
        if on_abandon is not None:
            on_abandon()
        self._runaway(Job(what))
        return QueryTimeoutError(f"the query ran past the limit of {self.timeout:g} s; it was "
                                 "abandoned")

    def _runaway(self, job: Job) -> None:
        log.warning("query past %g s abandoned: %.200s", self.timeout, job.sparql)
        if not self.runaway:
            self.runaway = True
            if self.on_runaway is not None:
                if self.loop is not None and not _on_loop(self.loop):
                    self.loop.call_soon_threadsafe(self.on_runaway)
                else:
                    self.on_runaway()

    @property
    def _pool(self) -> QueryThreads:
        if self._threads is None:  # first use, or after close(): an app may be started again
            self._threads = QueryThreads(self._size)
        return self._threads

    def close(self) -> None:
        """Stop the query threads (running queries are not waited for)."""
        if self._threads is not None:
            self._threads.close()
            self._threads = None


def _ended(first: asyncio.Future, done: asyncio.Future, result: object,
           error: BaseException | None) -> None:
    """A job's end, on the loop: its answer (or error) settles ``first`` unless a stream
    already did, and ``done`` in any case."""
    _settle(first, result, error)
    _settle(done, result, error)
    if error is not None and not done.cancelled():
        done.exception()  # read here too: nobody awaits ``done`` unless it streamed
