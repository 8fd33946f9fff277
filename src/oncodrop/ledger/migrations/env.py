"""Alembic environment for the ledger. Always run programmatically by ``oncodrop.ledger.db.migrate``,
which passes an open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from oncodrop.ledger.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run ledger migrations through oncodrop.ledger.db.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
