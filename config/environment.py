"""Read settings from the environment, failing loudly and by name on bad values.

A deliberation platform handles sensitive political opinions; a typo in production
configuration must stop start-up rather than silently fall back to a default.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name}: expected one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name}: expected a comma-separated list; got {raw!r}")
    return items


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}: expected one of {allowed}; got {value!r}")
    return value


def database_from_url(name: str) -> dict | None:
    """Parse a PostgreSQL or SQLite URL; None when the variable is unset."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ImproperlyConfigured(
            f"{name}: expected a postgres://user@host:port/name or sqlite:///path URL; got {raw!r}"
        )
    if parsed.scheme == "sqlite":
        path = parsed.path[1:] if parsed.path.startswith("//") else parsed.path
        if not path:
            raise ImproperlyConfigured(f"{name}: a sqlite URL needs a file path; got {raw!r}")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    database = parsed.path.lstrip("/")
    if not database:
        raise ImproperlyConfigured(f"{name}: the URL names no database; got {raw!r}")
    try:
        port = parsed.port
    except ValueError:
        raise ImproperlyConfigured(f"{name}: the port is not a number; got {raw!r}") from None
    # Under ASGI every request runs in a thread of its own, so connections kept per thread
    # are not reused; a pool (DATABASE_POOL_SIZE > 0) shares them across requests instead.
    pool_size = env_int("DATABASE_POOL_SIZE", 0, minimum=0)
    config = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": parsed.hostname or "",
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 0 if pool_size else env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": not pool_size,
        "ATOMIC_REQUESTS": False,
    }
    if pool_size:
        config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": pool_size, "timeout": 30}}
    return config


def redis_url(name: str) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in {"redis", "rediss", "unix"} or (
        parsed.scheme != "unix" and not parsed.hostname
    ):
        raise ImproperlyConfigured(f"{name}: expected a redis://host:port/db URL; got {raw!r}")
    try:
        _ = parsed.port  # urllib validates the port only when it is read
    except ValueError:
        raise ImproperlyConfigured(f"{name}: the port is not a number; got {raw!r}") from None
    return raw


def smtp_url(name: str) -> dict | None:
    """Parse smtp://user:password@host:port (smtps:// for implicit TLS)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in {"smtp", "smtps", "smtp+tls"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"{name}: expected smtp://user:password@host:port (or smtps://, smtp+tls://); "
            f"got a value with scheme {parsed.scheme!r}"
        )
    try:
        port = parsed.port
    except ValueError:
        raise ImproperlyConfigured(f"{name}: the port is not a number") from None
    return {
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port or (465 if parsed.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": parsed.username or "",
        "EMAIL_HOST_PASSWORD": parsed.password or "",
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
    }
