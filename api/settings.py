"""Settings, read from the environment (prefix ``MAILLAGE_``) in one place: only ``api/`` reads
the environment."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
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
