"""Alembic environment for crepitus. ``Store`` runs it with an open connection in a transaction.

For development (``alembic revision --autogenerate``), pass a URL instead: ``alembic -c ALEMBIC_INI
-x url=sqlite:///dev.db ...`` with ``script_location`` pointing at this folder.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from crepitus.store._models import metadata
from crepitus.store._store import normalise_url

config = context.config
connection = config.attributes.get("connection")
if connection is not None:
    # render_as_batch: SQLite can only alter a table by copying it; batch mode does that.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database as -x url=... or sqlalchemy.url")
    with create_engine(normalise_url(url)).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
