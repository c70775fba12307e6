"""Placeholder for the `sample` command; being written in this session."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="(in progress)")
    p.set_defaults(func=lambda args: 0)
