"""Login and chat history for the browser app, switched on by the environment.

When CHAINLIT_AUTH_SECRET and TASTEMAKER_PASSWORD are both set, the app asks
for a login (user TASTEMAKER_USER, default "tastemaker") and keeps every chat
in SQLite (`chat-history.db` in the data directory) through Chainlit's
SQLAlchemy data layer, so past chats appear in the sidebar and can be resumed.
With TASTEMAKER_DATABASE_URL the same tables live in PostgreSQL (through asyncpg), so several app servers
behind a load balancer show a person the same chats. Without login the app is open and keeps nothing
after a session ends.
"""

from __future__ import annotations

import hmac
import sqlite3
from pathlib import Path

from tools.settings import get_settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL, "createdAt" TEXT);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT, "tags" TEXT,
    "metadata" TEXT, FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL, "parentId" TEXT,
    "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN, "isError" BOOLEAN, "metadata" TEXT, "tags" TEXT,
    "input" TEXT, "output" TEXT, "createdAt" TEXT, "command" TEXT, "start" TEXT, "end" TEXT, "generation" TEXT,
    "showInput" TEXT, "language" TEXT, "indent" INT, "defaultOpen" BOOLEAN, "autoCollapse" BOOLEAN, "modes" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "url" TEXT, "chainlitKey" TEXT, "name" TEXT NOT NULL,
    "display" TEXT, "objectKey" TEXT, "size" TEXT, "page" INT, "language" TEXT, "forId" TEXT, "mime" TEXT,
    "props" TEXT, "autoPlay" BOOLEAN, "playerConfig" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT NOT NULL, "value" INT NOT NULL, "comment" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
"""


def login_enabled() -> bool:
    return get_settings().login_enabled


def history_db() -> Path:
    return get_settings().ensure_home() / "chat-history.db"


# PostgreSQL takes the same tables; tags are real text arrays there (asyncpg sends Chainlit's lists as such).
SCHEMA_PG = SCHEMA.replace('"tags" TEXT', '"tags" TEXT[]')
_SCHEMA_LOCK = 0x7461_7374_6801  # two servers starting at once create the tables one after the other


def create_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)


def data_layer_url() -> str:
    """The chat history's SQLAlchemy URL: PostgreSQL's (asyncpg) when configured, else the SQLite file, with
    its tables made sure of."""
    url = get_settings().postgres_url
    if not url:
        path = history_db()
        create_schema(path)
        return f"sqlite+aiosqlite:///{path}"
    from tools.database import connect_postgres

    db = connect_postgres(url)
    try:
        with db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            db.executescript(SCHEMA_PG)
    finally:
        db.close()
    # asyncpg calls libpq's sslmode "ssl"
    return "postgresql+asyncpg://" + url.split("://", 1)[1].replace("sslmode=", "ssl=")


def check_login(username: str, password: str) -> bool:
    """Constant-time comparison against TASTEMAKER_USER / TASTEMAKER_PASSWORD."""
    settings = get_settings()
    expected_user, expected_password = settings.user, settings.password.get_secret_value()
    return bool(expected_password) and hmac.compare_digest(username.encode(), expected_user.encode()) and \
        hmac.compare_digest(password.encode(), expected_password.encode())


def configure() -> None:
    """Register login and the SQLite data layer with Chainlit when the environment asks for them."""
    if not login_enabled():
        return
    import chainlit as cl
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

    url = data_layer_url()

    @cl.password_auth_callback
    def login(username: str, password: str) -> cl.User | None:
        return cl.User(identifier=username, metadata={"provider": "password"}) if check_login(username, password) else None

    from agent.web import storage

    storage.install()  # players, charts and panels of kept chats: in the data directory, by signed links

    @cl.data_layer
    def data_layer() -> SQLAlchemyDataLayer:
        return SQLAlchemyDataLayer(conninfo=url, storage_provider=storage.LocalStorageClient())
