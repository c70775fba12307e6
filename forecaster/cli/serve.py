"""``forecaster serve``: the Dash dashboard over a store.

Debug mode is only for development on loopback: ``--debug`` is refused on any other address
and with ``--prod``, which runs the app under gunicorn (``dashboard.wsgi:server``) with debug
off. A login in front of it is configured from the environment (docs/dashboard.md).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import sys
from pathlib import Path

from forecaster.cli import options
from forecaster.cli.common import store_dir
from forecaster.errors import InputError
from forecaster.inputs import inputs_line, named


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "serve")
    options.store(parser)
    options.named_input(parser, "workloads", "workloads TOML")
    options.named_input(
        parser,
        "loadtests",
        "load-test results: CSV, k6 or Locust, files or directories, repeatable",
        "no Scaling page data",
        action="append",
        metavar="PATH",
    )
    options.named_input(parser, "scenarios", "TCO scenarios TOML shown beside the what-if")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8050, help="port (8050)")
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (loopback only)")
    parser.add_argument("--prod", action="store_true", help="run under gunicorn, debug off")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers with --prod (2)")
    parser.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_debug(debug: bool, prod: bool, host: str) -> None:
    """Refuse debug mode anywhere but on loopback, and always under --prod: the debugger
    runs arbitrary code for anyone who can reach it."""
    if debug and (prod or not is_loopback(host)):
        raise InputError(
            f"--debug is refused on {host}{' with --prod' if prod else ''}: debug mode runs "
            "arbitrary code for anyone who can reach it; use it on 127.0.0.1 only"
        )


def gunicorn_command(gunicorn: str, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line ``--prod`` runs."""
    if workers < 1:
        raise InputError(f"--workers {workers}: expected 1 or more")
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [gunicorn, "--workers", str(workers), "--bind", bind, "dashboard.wsgi:server"]


def prod_environment(
    store: Path,
    workloads: str | None,
    loadtests: list[str] | None,
    scenarios: str | None = None,
) -> dict:
    """The environment variables ``dashboard.wsgi`` reads its configuration from."""
    env = {"FORECASTER_STORE": str(store)}
    if workloads:
        env["FORECASTER_WORKLOADS"] = str(workloads)
    if loadtests:
        env["FORECASTER_LOADTESTS"] = os.pathsep.join(str(p) for p in loadtests)
    if scenarios:
        env["FORECASTER_SCENARIOS"] = str(scenarios)
    return env


def run(args: argparse.Namespace) -> int:
    check_debug(args.debug, args.prod, args.host)
    store = store_dir(args)
    workloads = named("workloads", args.workloads)
    tests = named("loadtests", args.loadtests)
    scenarios = named("scenarios", args.scenarios)
    for item in (workloads, scenarios):
        if item.path is not None and not item.path.is_file():
            raise InputError(f"{item.kind} {item.path} ({item.how}): no such file")
    args.workloads = str(workloads.path) if workloads.path else None
    args.loadtests = [str(p) for p in tests.paths] or None
    args.scenarios = str(scenarios.path) if scenarios.path else None
    print(inputs_line(store, workloads, scenarios, tests), file=sys.stderr)
    if args.prod:
        gunicorn = shutil.which("gunicorn") or shutil.which(
            "gunicorn", path=str(Path(sys.executable).parent)
        )
        if gunicorn is None:
            raise InputError("--prod needs gunicorn: pip install gunicorn")
        command = gunicorn_command(gunicorn, args.host, args.port, args.workers)
        os.environ.update(prod_environment(store, args.workloads, args.loadtests, args.scenarios))
        os.execv(gunicorn, command)
    from dashboard.app import create_app

    app = create_app(store, args.workloads, args.loadtests, scenarios=args.scenarios)
    print(
        f"serving the dashboard on http://{args.host}:{args.port}/ (store {store})",
        file=sys.stderr,
    )
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0
