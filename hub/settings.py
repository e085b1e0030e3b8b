"""Settings from ``HUB_*`` environment variables, read once into a frozen dataclass."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "hub.sqlite3"
FIXTURES_DIR = Path(os.environ.get("HUB_FIXTURES_DIR") or PROJECT_ROOT / "fixtures")


class SettingsError(ValueError):
    """A ``HUB_*`` variable holds a value the hub cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the hub reads from its environment."""

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    graphiql: bool = True
    max_page_size: int = 1000
    default_page_size: int = 100
    max_batch_size: int = 10_000
    result_cache_size: int = 512
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_cost: int = 100_000
    max_body_bytes: int = 8 * 1024 * 1024
    statement_timeout_ms: int = 15_000
    rate_limit_per_minute: int = 1200
    trace_fields: bool = False
    compiled_operations: bool = True
    workers: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            host=env.get("HUB_HOST", defaults.host),
            port=_int(env, "HUB_PORT", defaults.port, low=1, high=65535),
            database_url=normalise_database_url(env.get("HUB_DATABASE_URL", defaults.database_url)),
            graphiql=_bool(env, "HUB_GRAPHIQL", defaults.graphiql),
            trace_fields=_bool(env, "HUB_TRACE_FIELDS", defaults.trace_fields),
            compiled_operations=_bool(env, "HUB_COMPILED_OPERATIONS", defaults.compiled_operations),
            workers=_int(env, "HUB_WORKERS", defaults.workers, low=1, high=64),
            max_page_size=_int(
                env, "HUB_MAX_PAGE_SIZE", defaults.max_page_size, low=1, high=10_000
            ),
            default_page_size=_int(
                env, "HUB_DEFAULT_PAGE_SIZE", defaults.default_page_size, low=1, high=10_000
            ),
            max_batch_size=_int(
                env, "HUB_MAX_BATCH_SIZE", defaults.max_batch_size, low=1, high=100_000
            ),
            result_cache_size=_int(
                env, "HUB_RESULT_CACHE_SIZE", defaults.result_cache_size, low=0, high=100_000
            ),
            max_depth=_int(env, "HUB_MAX_DEPTH", defaults.max_depth, low=2, high=100),
            max_aliases=_int(env, "HUB_MAX_ALIASES", defaults.max_aliases, low=0, high=10_000),
            max_tokens=_int(env, "HUB_MAX_TOKENS", defaults.max_tokens, low=100, high=1_000_000),
            max_cost=_int(env, "HUB_MAX_COST", defaults.max_cost, low=10, high=100_000_000),
            max_body_bytes=_int(
                env, "HUB_MAX_BODY_BYTES", defaults.max_body_bytes, low=1024, high=1 << 30
            ),
            statement_timeout_ms=_int(
                env,
                "HUB_STATEMENT_TIMEOUT_MS",
                defaults.statement_timeout_ms,
                low=0,
                high=3_600_000,
            ),
            rate_limit_per_minute=_int(
                env, "HUB_RATE_LIMIT_PER_MINUTE", defaults.rate_limit_per_minute, low=0, high=10**7
            ),
        )


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (``postgresql://``, ``sqlite:///``); pick the async driver."""
    for plain, asynchronous in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return asynchronous + url[len(plain) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise SettingsError(
        "HUB_DATABASE_URL must be a PostgreSQL (postgresql://…) or SQLite (sqlite:///…) URL"
    )


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must lie between {low} and {high}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")
