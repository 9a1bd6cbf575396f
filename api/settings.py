"""Settings, read from the environment (prefix ``MAILLAGE_``) in one place: only ``api/`` reads
the environment."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_path() -> Path:
    """The on-disk store in the user's data directory (``~/.local/share/maillage/store``)."""
    return Path(user_data_dir("maillage")) / "store"


class Settings(BaseSettings):
    """Every setting of the service; see README « Settings »."""

    model_config = SettingsConfigDict(env_prefix="MAILLAGE_")

    store: Path = default_store_path()
    max_query_bytes: int = 20_000
    max_query_depth: int = 40
    query_timeout: float = 10.0        # seconds; past it: 503, and the worker is replaced
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1)  # serving processes
    query_threads: int = 2             # queries evaluated at once in each worker
    max_result_rows: int = 100_000     # rows (solutions) per answer; more: flagged truncated
    result_cache_mb: int = 64          # answers kept per worker (0: no cache)
    shared_answers_dir: Path | None = None  # REST answers shared by the workers (serve sets it)
    worker_memory_mb: int = 4096       # heap cap per worker (0: none); past it the worker dies
    max_body_bytes: int = 5_000_000    # largest request body accepted (SPARQL, Graph Store)
    update_token: str | None = None    # bearer token for writes; None: writes disabled
    cors_origins: list[str] = ["*"]
    public_base: str | None = None     # public URL of the service, when behind a proxy
    dump_dir: Path | None = None       # where dumps are spooled (default: $TMPDIR/maillage-dumps)
