"""Service settings, read from ``CREPITUS_*`` environment variables.

Only the adapters (the HTTP API, the web pages, the store) read settings; the core never does.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_database_url", "get_settings"]


def _data_dir() -> Path:
    try:
        from platformdirs import user_data_dir
    except ImportError:  # optional: the XDG rule below is what platformdirs does on Linux
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "crepitus"
    return Path(user_data_dir("crepitus", appauthor=False))


def default_database_url() -> str:
    """A SQLite file in the user's data folder (created if missing)."""
    folder = _data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'crepitus.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREPITUS_", extra="ignore")

    # A factory, so the data folder is only created when no URL is configured.
    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///PATH or postgresql://USER@HOST/DB",
    )
    clinic_name: str | None = Field(default=None, description="Shown with consultation results")
    booking_url: str | None = Field(default=None, description="Where to book a consultation")
    clinic_phone: str | None = Field(default=None, description="The clinic's phone number")
    max_body_bytes: int = Field(default=64_000, gt=0, description="Largest request body accepted")


def get_settings() -> Settings:
    """Settings from the environment, read afresh on each call (the app reads them once)."""
    return Settings()
