"""Path expansion: the files that command-line arguments name (the one home for it).

Billing deliveries, load files and load-test results are all named the same way: files,
directories and glob patterns, mixed. :func:`expand_paths` turns such arguments into the
sorted list of files to read, each once.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from forecaster.errors import InputError, clip

#: Files of rows: billing deliveries and load series (CSV may be gzipped).
TABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".snappy.parquet", ".gz.parquet")


def _kinds(suffixes: Iterable[str]) -> str:
    names = list(dict.fromkeys(suffixes))
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def _wanted(path: Path, suffixes: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith(".") and name.endswith(suffixes)


def expand_paths(
    paths: Iterable[str | Path], suffixes: Iterable[str], *, recursive: bool = True
) -> list[Path]:
    """Every file the arguments name, sorted, each once (resolved to absolute paths).

    A directory contributes its files whose names end with one of ``suffixes`` (hidden
    files left out; subdirectories too when ``recursive``); a glob pattern its matching
    files. An existing file or directory is taken literally even when its name holds glob
    characters (``bill[1].csv`` is that file, never ``bill1.csv``). A path that names
    nothing, or a directory with no such file, is an :class:`InputError` naming it.
    """
    wanted = tuple(s.lower() for s in suffixes)
    found: list[Path] = []
    for raw in paths:
        text = str(raw)
        if any(ch in text for ch in "*?[") and not Path(text).exists():  # a name is literal first
            files = [Path(m) for m in sorted(glob.glob(text, recursive=True)) if Path(m).is_file()]
            if not files:
                raise InputError(clip(f"{text}: no such file, and as a pattern it matches none"))
            found.extend(files)
            continue
        path = Path(text)
        if path.is_dir():
            children = path.rglob("*") if recursive else path.iterdir()
            files = sorted(p for p in children if _wanted(p, wanted))
            if not files:
                raise InputError(clip(f"{path}: the directory holds no {_kinds(wanted)} file"))
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(clip(f"{path}: no such file or directory"))
    unique: dict[Path, None] = {}
    for p in found:
        unique.setdefault(p.resolve(), None)
    return list(unique)
