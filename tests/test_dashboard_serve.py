"""``forecaster serve``: debug only on loopback, production under gunicorn with debug off,
an optional login in front."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from dash import Dash, html

from dashboard.auth import configure_auth, read_users
from forecaster.cli import serve
from forecaster.errors import InputError
from tests import dashboard_support as support


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("host", "prod"),
    [("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("127.0.0.1", True)],
)
def test_debug_is_refused_off_loopback_and_in_production(host, prod):
    with pytest.raises(InputError, match="--debug is refused"):
        serve.check_debug(True, prod, host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_debug_is_allowed_on_loopback(host):
    serve.check_debug(True, False, host)


def test_the_cli_refuses_debug_on_a_public_address(cli, capsys):
    code, _ = cli("serve", "--debug", "--host", "0.0.0.0")
    assert code == 2
    assert "--debug is refused on 0.0.0.0" in capsys.readouterr().err


def test_the_cli_names_a_missing_workloads_file(cli, capsys, tmp_path):
    code, _ = cli("serve", "--store", str(tmp_path), "--workloads", str(tmp_path / "no.toml"))
    assert code == 2 and "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(("host", "bind"), [("127.0.0.1", "127.0.0.1:9000"), ("::1", "[::1]:9000")])
def test_gunicorn_binds_the_address(host, bind):
    command = serve.gunicorn_command("/bin/gunicorn", host, 9000, 3)
    assert command == ["/bin/gunicorn", "--workers", "3", "--bind", bind, "dashboard.wsgi:server"]


def test_gunicorn_needs_a_worker():
    with pytest.raises(InputError, match="--workers 0"):
        serve.gunicorn_command("/bin/gunicorn", "127.0.0.1", 9000, 0)


def test_prod_environment_carries_the_configuration(tmp_path):
    env = serve.prod_environment(tmp_path, "w.toml", ["a", "b"])
    assert env == {
        "FORECASTER_STORE": str(tmp_path),
        "FORECASTER_WORKLOADS": "w.toml",
        "FORECASTER_LOADTESTS": f"a{os.pathsep}b",
    }


def test_the_development_server_runs_without_debug_by_default(cli, monkeypatch, sample):
    runs = []
    monkeypatch.setattr("dashboard.app.create_app", lambda *a, **k: _Recorder(runs))
    code, _ = cli("serve", "--store", str(sample["store"]), "--port", "8999")
    assert code == 0 and runs == [{"host": "127.0.0.1", "port": 8999, "debug": False}]


class _Recorder:
    def __init__(self, runs):
        self.runs = runs

    def run(self, **kwargs):
        self.runs.append(kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_prod_serves_the_dashboard_under_gunicorn_with_debug_off(sample):
    port = _free_port()
    proc = subprocess.Popen(
        [str(BIN / "forecaster"), "serve", "--prod", "--workers", "1", "--port", str(port),
         "--store", str(sample["store"]), "--workloads", str(sample["workloads"])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    try:
        index = _get(f"http://127.0.0.1:{port}/")
        assert '"ui":false' in index.replace(" ", "")  # Dash dev tools off
        assert "Cloud cost and scaling forecaster" in _get(f"http://127.0.0.1:{port}/_dash-layout")
        deps = _get(f"http://127.0.0.1:{port}/_dash-dependencies")
        assert "overview-spend.figure" in deps
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert b"gunicorn" in out.lower() or b"booting worker" in out.lower()


# -- login -----------------------------------------------------------------------------
def _bare_app() -> Dash:
    app = Dash(__name__)
    app.layout = html.Div("hello")
    return app


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_auth_asks_every_visitor_for_a_password(tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("# analysts\nana:s3cret\n\nbo:pa:ss\n")
    app = _bare_app()
    env = {"FORECASTER_AUTH": "basic", "FORECASTER_AUTH_USERS": str(users)}
    assert configure_auth(app, env) == "basic"
    client = app.server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", headers=_basic("ana", "wrong")).status_code == 401
    assert client.get("/", headers=_basic("ana", "s3cret")).status_code == 200
    assert client.get("/_dash-layout", headers=_basic("bo", "pa:ss")).status_code == 200


def test_no_auth_by_default():
    app = _bare_app()
    assert configure_auth(app, {}) == "none"
    assert app.server.test_client().get("/").status_code == 200


@pytest.mark.parametrize(
    ("text", "line"), [("ana\n", 1), ("# c\nana:x\n:nopassword\n", 3), ("bo:\n", 1)]
)
def test_users_file_errors_name_the_line(tmp_path, text, line):
    users = tmp_path / "users.txt"
    users.write_text(text)
    with pytest.raises(InputError, match=f"users.txt:{line}: expected user:password"):
        read_users(users)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FORECASTER_AUTH": "ldap"}, "expected one of none, basic, oidc"),
        ({"FORECASTER_AUTH": "basic"}, "FORECASTER_AUTH_USERS"),
        ({"FORECASTER_AUTH": "oidc", "FORECASTER_SECRET_KEY": "k"}, "FORECASTER_OIDC_CLIENT_ID"),
    ],
)
def test_auth_configuration_errors_name_what_is_missing(env, message):
    with pytest.raises(InputError, match=message):
        configure_auth(_bare_app(), env)
