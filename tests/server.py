"""Helpers to run the real server in its own process over a small on-disk store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from graph.store import OxigraphStore


def small_store(path: Path, triples: int = 2000) -> Path:
    """An on-disk store with ``triples`` simple triples in one named graph."""
    store = OxigraphStore(path)
    data = "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n"
                   for i in range(triples))
    store.replace_graph("https://maillage.fr/graph/test", data.encode())
    del store
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(store: Path, **settings: str) -> Iterator[str]:
    """`maillage serve` on 127.0.0.1 over ``store``; yields its base URL; stops it after."""
    port = free_port()
    env = {**os.environ, "MAILLAGE_STORE": str(store),
           **{f"MAILLAGE_{k.upper()}": v for k, v in settings.items()}}
    process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/sparql", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None:
                    raise RuntimeError(process.stdout.read().decode()) from None
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
