"""Service settings, read from ``CREPITUS_*`` environment variables.

Only the adapters (the HTTP API, the web pages, the store) read settings; the core never does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Protocol

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crepitus._folders import user_folder

__all__ = [
    "Settings",
    "default_database_url",
    "emergency_numbers",
    "get_settings",
    "private_link",
]


def default_database_url() -> str:
    """A SQLite file in the user's data folder (created if missing)."""
    folder = user_folder("data")
    # Health data: the folder is the owner's only (the store makes its files 0600).
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
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
    emergency_numbers: str = Field(
        default="999=UK,112=Europe,911=North America",
        description=(
            "The emergency numbers offered as call buttons, most local first: NUMBER=WHERE, "
            "comma-separated (e.g. 000=Australia,112=Europe)"
        ),
    )
    find_emergency_url: str | None = Field(
        default=None,
        description=(
            "A service directory that finds the nearest emergency department, linked from "
            "emergency results (https only), e.g. a national health service's search page"
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Seals the interview's state into each question's address; unset, a key made once "
            "and kept in the database. Set the same value on every server of one site"
        ),
    )
    max_body_bytes: int = Field(default=64_000, gt=0, description="Largest request body accepted")
    max_import_bytes: int = Field(
        default=24_000_000,
        gt=0,
        description=(
            "Largest body of a diary import: a diary's own export at its 20,000 entries, "
            "about 1,200 bytes each"
        ),
    )
    body_timeout: float = Field(
        default=20.0, gt=0, description="Seconds a request body may take between two chunks"
    )
    link_days: int = Field(
        default=90, gt=0, le=36_500, description="Days a private link lives; renewing restarts it"
    )
    base_url: str | None = Field(
        default=None,
        description=(
            "The public address, e.g. https://crepitus.example.org: private links are built "
            "from it (never from the Host header) and form posts must come from its origin"
        ),
    )
    rate_writes: str = Field(
        default="120/minute",
        description="Writes (POST, DELETE) per client address, as the limits library reads "
        "them ('120/minute', '10/second;500/hour'); 'off' for none",
    )
    rate_lookups: str = Field(
        default="120/minute",
        description="Private-token lookups (/r/TOKEN, /v1/assessments, /v1/diary) per client "
        "address; 'off' for none",
    )
    log_format: str = Field(default="text", description="Server log lines: 'text' or 'json'")
    concurrency: int = Field(
        default=1000, gt=0, description="Connections a worker serves at once; beyond, 503"
    )

    @field_validator("rate_writes", "rate_lookups")
    @classmethod
    def _rate(cls, value: str) -> str:
        value = value.strip()
        if value.lower() in {"", "off", "none"}:
            return "off"
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate such as '120/minute': {value!r}") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be an http(s) address such as https://crepitus.example.org")
        return value.rstrip("/")

    @field_validator("emergency_numbers")
    @classmethod
    def _numbers(cls, value: str) -> str:
        emergency_numbers(value)  # raises ValueError naming what is wrong
        return value

    @field_validator("find_emergency_url")
    @classmethod
    def _find(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"https://[^\s\"'<>]+", value):
            raise ValueError("must be an https address such as https://www.example.org/find")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in {"text", "json"}:
            raise ValueError("must be 'text' or 'json'")
        return value


def get_settings() -> Settings:
    """Settings from the environment, read afresh on each call (the app reads them once)."""
    return Settings()


class _Request(Protocol):
    """What :func:`private_link` reads of a request (Starlette's, for the API and the pages)."""

    @property
    def app(self) -> Any: ...
    @property
    def scope(self) -> Any: ...


def private_link(request: _Request, token: str) -> str:
    """A stored result's private address: under CREPITUS_BASE_URL (the app's settings), else
    relative to where the app is mounted; never from the request's Host header."""
    settings = getattr(request.app.state, "settings", None)
    base = getattr(settings, "base_url", None) or str(request.scope.get("root_path", ""))
    return f"{base.rstrip('/')}/r/{token}"


def emergency_numbers(value: str) -> list[tuple[str, str]]:
    """``"999=UK,112=Europe"`` as [("999", "UK"), ("112", "Europe")]; ValueError if malformed."""
    return list(_numbers(value))


@lru_cache(maxsize=8)
def _numbers(value: str) -> tuple[tuple[str, str], ...]:
    # Cached: every page renders the numbers, and the setting does not change.
    out = []
    for part in value.split(","):
        number, _, where = part.strip().partition("=")
        if not re.fullmatch(r"\d{2,6}", number.strip()) or not where.strip():
            raise ValueError(
                f"'{part.strip()}' is not NUMBER=WHERE (2 to 6 digits, then where it works)"
            )
        out.append((number.strip(), where.strip()))
    return tuple(out)
