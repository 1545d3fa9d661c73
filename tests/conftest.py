"""Fixtures shared by every test folder."""

from tests.pgfixture import pg_url

__all__ = ["pg_url"]
