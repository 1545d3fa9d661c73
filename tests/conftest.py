"""Fixtures shared by every test folder."""

from tests.pgfixture import db_url, pg_url

__all__ = ["db_url", "pg_url"]
