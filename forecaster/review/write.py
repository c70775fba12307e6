"""``write_review``: every file of the pack through a temporary name, then renamed.

All files are rendered to hidden temporary files in the output directory first; only when
every one of them has been written and flushed are they renamed into place. A failure (bad
data, a full disk, an interrupt) removes the temporary files and leaves what was there
before untouched, so a failed run never leaves a half-written pack. Renames are atomic on
POSIX file systems: a reader sees the old file or the new one, never part of one.

File names: ``review-YYYY-MM.xlsx``, ``review-YYYY-MM.html``, ``review-YYYY-MM.pdf`` and
one ``review-YYYY-MM-<table>.csv`` per table.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from forecaster import progress
from forecaster.errors import InputError
from forecaster.review.pack import ReviewPack
from forecaster.store.fsutil import fsync_dir

FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "pdf")

Render = Callable[[Path], None]


def parse_formats(formats: str | Iterable[str] | None) -> list[str]:
    """Validated formats in FORMATS order, from "xlsx,csv" or a list (None: all)."""
    if formats is None:
        return list(FORMATS)
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {f.strip().lower() for f in items if f.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown or not wanted:
        raise InputError(
            f"formats {', '.join(unknown) or '(none)'}: expected a comma-separated list of "
            f"{', '.join(FORMATS)}"
        )
    return [f for f in FORMATS if f in wanted]


def _bytes_render(data: Callable[[], bytes]) -> Render:
    def render(path: Path) -> None:
        path.write_bytes(data())

    return render


def _plan(pack: ReviewPack, formats: list[str]) -> list[tuple[str, Render]]:
    """(file name, render into a path) for every file of the pack."""
    plan: list[tuple[str, Render]] = []
    if "xlsx" in formats:
        from forecaster.review.xlsx import render_xlsx

        plan.append((f"{pack.stem}.xlsx", lambda p: render_xlsx(pack, p)))
    if "csv" in formats:
        from forecaster.review.csv_out import table_csv

        for table in pack.tables.values():
            plan.append(
                (f"{pack.stem}-{table.name}.csv", _bytes_render(lambda t=table: table_csv(t)))
            )
    if "html" in formats:
        from forecaster.review.html_out import render_html

        plan.append((f"{pack.stem}.html", _bytes_render(lambda: render_html(pack).encode("utf-8"))))
    if "pdf" in formats:
        from forecaster.review.pdf_out import render_pdf

        plan.append((f"{pack.stem}.pdf", lambda p: render_pdf(pack, p)))
    return plan


def _mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_review(
    pack: ReviewPack, out_dir: str | Path, formats: str | Iterable[str] | None = None
) -> list[Path]:
    """Write the pack's files under ``out_dir`` (created if missing); returns their paths.

    ``formats``: any of "xlsx", "csv", "html", "pdf" (default: all). All or nothing: on
    any error no file of this run is left behind and earlier files are untouched.
    """
    wanted = parse_formats(formats)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    plan = list(_plan(pack, wanted))
    tick = progress.begin(f"Writing the review pack for {pack.month}", total=len(plan))
    try:
        for name, render in plan:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            tmp_path = Path(tmp)
            staged.append((tmp_path, out / name))
            render(tmp_path)
            tick.advance()
            with open(tmp_path, "rb+") as fh:
                os.fchmod(fh.fileno(), _mode())
                os.fsync(fh.fileno())
        for tmp_path, final in staged:
            os.replace(tmp_path, final)
    except BaseException:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
        raise
    finally:
        tick.end()
    fsync_dir(out)
    return [final for _, final in staged]
