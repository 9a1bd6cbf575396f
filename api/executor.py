"""Where queries run. pyoxigraph has no timeout and a hostile query can exhaust memory or crash
the process, so the server runs queries in worker processes it can stop: :class:`WorkerPool`
(each worker opens the on-disk store read-only; a query over its time is stopped by killing its
worker, which is replaced, while the other workers keep answering). :class:`InProcess` runs in
the server's own thread pool, for an in-memory store (tests) or a writable one."""

from __future__ import annotations

import multiprocessing as mp
import queue
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from graph.errors import BadQueryError, MaillageError
from graph.store import OxigraphStore


class QueryTimeoutError(MaillageError):
    """A query that ran past the time limit and was stopped."""


class QueryCrashedError(MaillageError):
    """A query that made its worker process die (memory, engine crash)."""


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
    media_type: str
    body: bytes


def answer(store: OxigraphStore, job: Job) -> Answer:
    """Run ``job`` on ``store`` and serialize the result as negotiated."""
    from api.negotiation import choose

    result = store.query(job.sparql, default_graphs=list(job.default_graphs) or None,
                         named_graphs=list(job.named_graphs) or None)
    chosen = choose(result.kind, job.fmt, job.accept)
    if chosen is None:
        raise NotAcceptableError(f"no serialization of a {result.kind.upper()} result matches "
                                 "the Accept header or format parameter")
    return Answer(chosen[1], result.serialize(chosen[0]))


class InProcess:
    """Queries in the calling thread (no hard timeout: for in-memory or writable stores)."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store

    def run(self, job: Job) -> Answer:
        return answer(self.store, job)

    def close(self) -> None:
        pass


def _serve(path: str, conn: Connection) -> None:  # runs in a worker process
    store = OxigraphStore(Path(path), read_only=True)
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", answer(store, job)))
        except MaillageError as exc:
            conn.send(("error", (type(exc).__name__, str(exc))))


_ERRORS: dict[str, type[MaillageError]] = {"BadQueryError": BadQueryError,
                                           "NotAcceptableError": NotAcceptableError}


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


class WorkerPool:
    """``size`` worker processes over the on-disk store at ``path``; each query gets
    ``timeout`` seconds."""

    def __init__(self, path: Path, size: int = 2, timeout: float = 10.0) -> None:
        self.path, self.timeout = path, timeout
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(str(self.path), child), daemon=True)
        process.start()
        child.close()
        if not parent.poll(60) or parent.recv()[0] != "ready":
            process.kill()
            raise QueryCrashedError("a query worker could not open the store")
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        if not self._closed:
            self._idle.put(self._start())

    def run(self, job: Job) -> Answer:
        """Run ``job`` in an idle worker; stop it if it runs past the time limit.

        :raises QueryTimeoutError: past the limit (the worker is replaced).
        :raises QueryCrashedError: if the worker died (it is replaced).
        """
        # Waiting for a free worker and running are bounded separately: a query queued behind
        # slow ones still gets its full time once it runs.
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeoutError(f"no query worker free within {self.timeout:g} s") from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise QueryTimeoutError(f"the query ran past the limit of {self.timeout:g} s "
                                        "and was stopped")
            status, payload = worker.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            self._replace(worker)
            raise QueryCrashedError("the query made its worker process fail (too much memory "
                                    "or an engine error); it was stopped") from None
        self._idle.put(worker)
        if status == "ok":
            return payload
        name, message = payload
        raise _ERRORS.get(name, BadQueryError)(message)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.process.kill()
            worker.conn.close()
