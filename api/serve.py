"""``maillage serve``: worker processes over the read-only store, under uvicorn's supervisor.

Each worker is a whole server (HTTP and queries in one process, the pre-fork model): no hop
between processes on a request. A worker whose query outlives the time limit answers ``503``,
stops taking connections, finishes what it has and exits; one that exceeds its memory cap or
crashes in the engine dies. Either way the supervisor starts a fresh one while the others keep
answering. A writable store (an update token is set) is opened by one worker only: the engine
takes a lock on it. The workers share the REST answers they compute through a private directory
(:mod:`api.shared_answers`), on tmpfs where there is one, removed when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from api.main import create_app
from api.settings import Settings

log = logging.getLogger("maillage.serve")
_DRAIN_SECONDS = 1.0


def service_app() -> FastAPI:
    """The app of one worker (a uvicorn factory): settings from the environment, the heap cap,
    and retirement after a runaway query."""
    settings = Settings()
    if settings.worker_memory_mb > 0:
        cap = settings.worker_memory_mb << 20
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    app = create_app(settings)
    app.state.runner.on_runaway = _retire
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with inner(application):
            yield
        if application.state.runner.runaway:
            # The abandoned query's thread would hold up the interpreter's exit.
            logging.shutdown()
            os._exit(0)

    app.router.lifespan_context = lifespan
    return app


def _retire() -> None:
    """Stop taking connections now, and shut down gracefully a moment later (connections
    already accepted get their answer); the supervisor then starts a fresh worker."""
    log.warning("worker %d retires after a query past the time limit", os.getpid())
    # uvicorn's server handles SIGTERM with a bound method: that is how a worker finds it.
    server = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    if isinstance(server, uvicorn.Server):
        for listener in server.servers:
            listener.close()
        asyncio.get_running_loop().call_later(_DRAIN_SECONDS, os.kill, os.getpid(),
                                              signal.SIGTERM)
    else:
        os.kill(os.getpid(), signal.SIGTERM)


def serve(settings: Settings, *, host: str, port: int, access_log: bool) -> None:
    """Run the supervised workers until interrupted (the store named by ``settings`` must
    exist; workers read their settings from the environment, so ``MAILLAGE_STORE`` is set)."""
    os.environ["MAILLAGE_STORE"] = str(settings.store)
    workers = 1 if settings.update_token else max(settings.workers, 1)
    with _shared_answers(settings, workers):
        _run(host, port, workers, access_log, settings.query_timeout)


@contextmanager
def _shared_answers(settings: Settings, workers: int) -> Iterator[None]:
    """A private directory for the workers' shared answers, unless there is one worker, the
    cache is off or one is set already (``MAILLAGE_SHARED_ANSWERS_DIR``, kept at exit)."""
    if workers < 2 or settings.result_cache_mb <= 0 or settings.shared_answers_dir:
        yield
        return
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    directory = tempfile.mkdtemp(prefix="maillage-answers-", dir=base)
    os.environ["MAILLAGE_SHARED_ANSWERS_DIR"] = directory
    try:
        yield
    finally:
        os.environ.pop("MAILLAGE_SHARED_ANSWERS_DIR", None)
        shutil.rmtree(directory, ignore_errors=True)


def _run(host: str, port: int, workers: int, access_log: bool, query_timeout: float) -> None:
    config = uvicorn.Config("api.serve:service_app", factory=True, host=host, port=port,
                            workers=workers, access_log=access_log,
                            timeout_graceful_shutdown=int(query_timeout) + 5)
    # Always supervised, even with one worker, so that a retired worker is replaced.
    Multiprocess(config, sockets=[config.bind_socket()]).run()
