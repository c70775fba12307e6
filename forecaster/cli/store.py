"""Placeholder for the `store` command; being written in this session."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("store", help="(in progress)")
    p.set_defaults(func=lambda args: 0)
