"""The ``crepitus`` command's entry point, apart from the command line itself.

``crepitus serve --workers N`` starts each worker as a new process that first re-imports the
script that started the server; with this as that script's import, a worker loads nothing of
the command line (typer, rich, click) that it never uses.
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    from crepitus.cli import main as run

    run()
