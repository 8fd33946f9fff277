"""Alembic migration scripts of the ledger (a package so they ship in wheels)."""
