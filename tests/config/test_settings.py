"""Settings come from the environment, and a bad value stops start-up by name."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CHANNEL_LAYER",
    "TRUSTED_PROXY_COUNT",
    "BEHIND_TLS_PROXY",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "LOG_LEVEL",
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "gongnon.example.org",
}

READ_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": settings.DATABASES["default"]["NAME"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "layer_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "email": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", None),
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
    "language": settings.LANGUAGE_CODE,
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def read_settings(**env: str) -> dict:
    result = run_python(READ_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_no_environment_means_sqlite_and_the_in_memory_layer():
    values = read_settings()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["layer"] == "channels.layers.InMemoryChannelLayer"
    assert values["cache"].endswith("LocMemCache")
    assert values["email"].endswith("console.EmailBackend")
    assert values["language"] == "ko"


def test_database_url_switches_to_postgresql():
    values = read_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "test"


def test_redis_url_switches_the_channel_layer_and_cache_to_redis():
    values = read_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_the_core_redis_layer_can_be_chosen_and_outlasts_its_blocking_reads():
    values = read_settings(REDIS_URL="redis://127.0.0.1:6379/0", CHANNEL_LAYER="redis")
    assert values["layer"] == "channels_redis.core.RedisChannelLayer"
    (host,) = values["layer_hosts"]
    assert host["address"] == "redis://127.0.0.1:6379/0"
    assert host["socket_timeout"] > 5  # channels-redis blocks in BRPOP for 5 s


def test_email_url_switches_to_smtp():
    values = read_settings(EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587")
    assert values["email"].endswith("smtp.EmailBackend")
    assert values["email_host"] == "smtp.example.org"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/gongnon"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:notaport/test"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_URL", "ftp://mail.example.org"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("LOG_LEVEL", "VERBOSE"),
        ("SECRET_KEY", "short"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(variable, value):
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    assert f"Configuration error: {variable}:" in result.stderr


def test_production_without_a_secret_key_does_not_start():
    result = manage("check", DEBUG="false", ALLOWED_HOSTS="gongnon.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_does_not_start():
    result = manage("check", DEBUG="false", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_https_is_switched_off():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="false", **PRODUCTION
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
