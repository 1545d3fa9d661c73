"""The HTTP adapter: a FastAPI app over the core (``create_app``) and ``serve`` to run it."""

from __future__ import annotations

from crepitus.api.app import create_app

__all__ = ["create_app"]
