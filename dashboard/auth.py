"""Optional login in front of the dashboard (dash-auth), configured from the environment.

- ``FORECASTER_AUTH=basic`` with ``FORECASTER_AUTH_USERS=/path/users.txt`` (one
  ``user:password`` per line; blank lines and ``#`` comments ignored): HTTP basic auth on
  every route. Use it behind TLS only: basic auth sends the password with every request.
- ``FORECASTER_AUTH=oidc`` with ``FORECASTER_OIDC_METADATA_URL`` (the identity provider's
  ``.well-known/openid-configuration``), ``FORECASTER_OIDC_CLIENT_ID``,
  ``FORECASTER_OIDC_CLIENT_SECRET`` and ``FORECASTER_SECRET_KEY`` (signs the session
  cookie): OpenID Connect login through the provider (needs ``authlib`` beside dash-auth).

Unset (the default): no login, for a dashboard on 127.0.0.1. See docs/dashboard.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dash import Dash

from forecaster.errors import InputError

AUTH_ENV = "FORECASTER_AUTH"
MODES = ("none", "basic", "oidc")
OIDC_SETTINGS = (
    "FORECASTER_SECRET_KEY",
    "FORECASTER_OIDC_CLIENT_ID",
    "FORECASTER_OIDC_CLIENT_SECRET",
    "FORECASTER_OIDC_METADATA_URL",
)


def read_users(path: Path | str) -> dict[str, str]:
    """``user:password`` lines into a dict; raises InputError naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the users file ({exc.strerror})") from exc
    users: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        user, sep, password = text.partition(":")
        if not sep or not user or not password:
            raise InputError(f"{path}:{number}: expected user:password")
        users[user] = password
    if not users:
        raise InputError(f"{path}: no user:password line")
    return users


def _require(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if not value:
        raise InputError(f"{AUTH_ENV}={env.get(AUTH_ENV)} needs ${name}")
    return value


def _dash_auth():
    try:
        import dash_auth
    except ImportError as exc:
        raise InputError(f"{AUTH_ENV} needs dash-auth: pip install dash-auth") from exc
    return dash_auth


def configure_auth(app: Dash, env: Mapping[str, str] | None = None) -> str:
    """Put the login ``env`` asks for in front of ``app``; returns the mode ("none",
    "basic" or "oidc")."""
    env = os.environ if env is None else env
    mode = (env.get(AUTH_ENV) or "none").strip().lower()
    if mode not in MODES:
        raise InputError(f"{AUTH_ENV}={mode!r}: expected one of {', '.join(MODES)}")
    if mode == "basic":
        users = read_users(_require(env, "FORECASTER_AUTH_USERS"))
        _dash_auth().BasicAuth(app, users)
    elif mode == "oidc":
        settings = {name: _require(env, name) for name in OIDC_SETTINGS}
        oidc = getattr(_dash_auth(), "OIDCAuth", None)
        if oidc is None:
            raise InputError(f"{AUTH_ENV}=oidc needs authlib: pip install 'dash-auth[oidc]'")
        auth = oidc(app, secret_key=settings["FORECASTER_SECRET_KEY"])
        auth.register_provider(
            "idp",
            token_endpoint_auth_method="client_secret_post",
            client_id=settings["FORECASTER_OIDC_CLIENT_ID"],
            client_secret=settings["FORECASTER_OIDC_CLIENT_SECRET"],
            server_metadata_url=settings["FORECASTER_OIDC_METADATA_URL"],
        )
    return mode
