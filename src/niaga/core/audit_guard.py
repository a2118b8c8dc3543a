"""Database triggers that make the audit trail append-only, whoever connects.

Only ``niaga manage flush``, which empties every table anyway (tests use it between
transactional cases), lifts them for the length of the flush.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update
           BEFORE UPDATE ON core_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete
           BEFORE DELETE ON core_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
           FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()""",
        # TRUNCATE skips row triggers; refuse it as well.
        """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
           FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()""",
    ],
}

REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_auditentry_no_update",
        "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
        "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry",
        "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
    ],
}


def install(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, INSTALL)


def remove(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, REMOVE)


@contextmanager
def lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Lift the guards for a whole-database flush, and put them back whatever happens."""
    tables = connection.introspection.table_names()
    guarded = "core_auditentry" in tables
    if guarded:
        remove(connection)
    try:
        yield
    finally:
        if guarded:
            install(connection)


def _execute(connection: BaseDatabaseWrapper, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)
