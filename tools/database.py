"""The shared database, when one is configured: PostgreSQL at TASTEMAKER_DATABASE_URL.

Without it every store keeps its SQLite file in the data directory, as a single machine needs. With it
the library catalogue, taste profiles and feedback (and, in agent/history.py, the chat history) live in
PostgreSQL, so several app servers serve the same people.

The stores write their SQL once, in the dialect both databases share (`?` placeholders, `INSERT ... ON
CONFLICT`, `RETURNING`); `PostgresConnection` gives them the part of sqlite3's connection they use, over
psycopg 3: `execute` (placeholders turned into psycopg's), `executescript`, `in_transaction`, `close`, and
`with connection:` as one transaction. What does differ (table definitions, how a writer locks) each store
says for itself.
"""

from __future__ import annotations

import re
from typing import Any

from tools.errors import TastemakerError
from tools.settings import get_settings

CONNECT_TIMEOUT_S = 10


class DatabaseError(TastemakerError):
    """The configured PostgreSQL database cannot be used."""


def where(url: str) -> str:
    """The database's host, port and name for messages (never its password)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - an unparsable URL: say so without echoing it
        return "the database at TASTEMAKER_DATABASE_URL"
    return f"PostgreSQL at {parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def problem(exc: Exception, url: str) -> DatabaseError:
    """One line a person can act on, for a psycopg error."""
    import psycopg

    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, psycopg.OperationalError):
        return DatabaseError(f"Cannot use {where(url)} (TASTEMAKER_DATABASE_URL): {first}. Check that the server is "
                             "running and the URL's user, password and database are right, or unset the variable to "
                             "keep everything in the data directory.")
    return DatabaseError(f"{where(url)} refused a request ({first}).")


_PLACEHOLDER = re.compile(r"\?")


class PostgresConnection:
    """sqlite3's connection interface, as the stores use it, over one psycopg connection (autocommit: the
    stores say BEGIN and COMMIT themselves, as they do with SQLite's isolation_level=None)."""

    def __init__(self, url: str):
        self.url = url
        self._conn = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            raise problem(exc, self.url) from None

    @staticmethod
    def translate(sql: str) -> str:
        return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))

    def execute(self, sql: str, params: tuple | list = ()) -> Any:
        """Run one statement; a psycopg failure is a DatabaseError. A connection the server dropped (a restart)
        is opened again before the next statement that does not continue a transaction."""
        import psycopg

        if self._conn.broken or self._conn.closed:
            if sql.upper().startswith(("COMMIT", "ROLLBACK")):
                return None  # the transaction went with the connection
            self._conn = self._connect()
        try:
            return self._conn.execute(self.translate(sql), tuple(params) or None)
        except psycopg.Error as exc:
            raise problem(exc, self.url) from None

    def executescript(self, script: str) -> None:
        import psycopg

        try:
            self._conn.execute(script)
        except psycopg.Error as exc:
            raise problem(exc, self.url) from None

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self._conn.close()  # psycopg: closing twice, or a broken connection, is fine

    def __enter__(self) -> PostgresConnection:
        self._conn.execute("BEGIN")
        return self

    def __exit__(self, kind: type | None, *rest: object) -> None:
        if self.in_transaction:
            self.execute("COMMIT" if kind is None else "ROLLBACK")


def postgres_url() -> str:
    """TASTEMAKER_DATABASE_URL, or '' (SQLite in the data directory)."""
    return get_settings().postgres_url


def connect_postgres(url: str | None = None) -> PostgresConnection:
    return PostgresConnection(url or postgres_url())
