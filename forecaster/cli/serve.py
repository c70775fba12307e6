"""``forecaster serve``: the Dash dashboard over a store.

Debug mode is only for development on loopback: ``--debug`` is refused on any other address,
and ``--prod`` runs under gunicorn with debug off.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import sys

from forecaster.cli.common import add_store_option, store_dir
from forecaster.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="serve the interactive dashboard")
    add_store_option(parser)
    parser.add_argument("--workloads", default=None, help="workloads TOML file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (loopback only)")
    parser.add_argument("--prod", action="store_true", help="run under gunicorn, debug off")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers with --prod")
    parser.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    if args.debug and (args.prod or not is_loopback(args.host)):
        raise InputError(
            f"--debug is refused on {args.host}{' with --prod' if args.prod else ''}: debug mode "
            "runs arbitrary code for anyone who can reach it; use it on 127.0.0.1 only"
        )
    store = store_dir(args)
    if args.prod:
        gunicorn = shutil.which("gunicorn")
        if gunicorn is None:
            raise InputError("--prod needs gunicorn: pip install gunicorn")
        os.environ["FORECASTER_STORE"] = str(store)
        if args.workloads:
            os.environ["FORECASTER_WORKLOADS"] = str(args.workloads)
        os.execv(
            gunicorn,
            [
                gunicorn,
                "-w",
                str(args.workers),
                "-b",
                f"{args.host}:{args.port}",
                "dashboard.wsgi:server",
            ],
        )
    from dashboard.app import create_app

    app = create_app(store, args.workloads)
    print(
        f"serving the dashboard on http://{args.host}:{args.port}/ (store {store})", file=sys.stderr
    )
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0
