"""``write_review``: the pack's files written and swapped in as one set, all or nothing.

A pack is a set of files (``review-YYYY-MM.xlsx``, ``.html``, ``.pdf`` and one
``review-YYYY-MM-<table>.csv`` per table) and a reader must never see part of one run and
part of another. So the files are rendered into a new hidden generation directory
``<out>/.review-YYYY-MM/<generation>/``, flushed to disk, and the set is swapped in by one
atomic rename of the pointer ``<out>/.review-YYYY-MM/current`` (a symbolic link to the
generation). The names users open, ``<out>/review-YYYY-MM.xlsx`` and so on, are symbolic
links through that pointer, so every one of them switches from the old set to the new set
at the same instant; a name the new set no longer has stops resolving at that instant too
and its link is removed just after.

A run that fails or is killed at any point leaves the earlier pack in place, whole; its
half-built generation directory is removed by the next run for the same month (as are the
``.review-YYYY-MM.*.tmp`` files of earlier versions of this writer). A pack written as plain
files by an earlier version is first moved into a generation of its own (hard links, so no
name ever stops resolving) and then replaced like any other. Runs for the same month take
turns (a lock in the hidden directory). Where the file system cannot hold symbolic links the
files are renamed into place one by one, as before (each file whole, the set not atomic).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
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


CURRENT = "current"
LOCK = "lock"


def _pack_dir(out: Path, stem: str) -> Path:
    """The hidden directory holding the month's generations and its ``current`` pointer."""
    return out / f".{stem}"


def _link_target(stem: str, name: str) -> str:
    """Where the visible name ``name`` points: through the month's ``current`` pointer."""
    return f".{stem}/{CURRENT}/{name}"


def _is_pack_name(stem: str, name: str) -> bool:
    return name.startswith(f"{stem}.") or name.startswith(f"{stem}-")


def _replace_symlink(target: str, link: Path) -> None:
    """Point ``link`` at ``target`` in one atomic rename (a new link, then os.replace)."""
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _points_through_current(out: Path, stem: str, path: Path) -> bool:
    try:
        return path.is_symlink() and os.readlink(path) == _link_target(stem, path.name)
    except OSError:
        return False


def clean_leftovers(out: Path, stem: str) -> list[Path]:
    """Remove what killed or failed runs for ``stem`` left behind; returns what was removed.

    Generation directories other than the one ``current`` points to, stray temporary
    links, earlier versions' ``.<name>.*.tmp`` files, and visible links of the month that
    no longer resolve (a name the current set does not have).
    """
    removed: list[Path] = []
    hidden = _pack_dir(out, stem)
    keep = None
    current = hidden / CURRENT
    if current.is_symlink():
        keep = os.readlink(current)
    if hidden.is_dir():
        for entry in hidden.iterdir():
            if entry.name in (CURRENT, LOCK) or entry.name == keep:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    for entry in out.iterdir():
        name = entry.name
        stale_tmp = name.startswith(f".{stem}") and name.endswith((".tmp", ".link"))
        dangling = _points_through_current(out, stem, entry) and not entry.exists()
        if stale_tmp or dangling:
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


@contextlib.contextmanager
def _month_lock(hidden: Path) -> Iterator[None]:
    fd = os.open(hidden / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _render_all(plan: list[tuple[str, Render]], where: Path, tick=None) -> None:
    for name, render in plan:
        path = where / name
        render(path)
        if tick is not None:
            tick.advance()
        with open(path, "rb+") as fh:
            os.fchmod(fh.fileno(), _mode())
            os.fsync(fh.fileno())
    fsync_dir(where)


def _adopt_plain_files(out: Path, stem: str, hidden: Path) -> None:
    """Plain files of this month (an earlier writer's pack, or a run cut short while
    adopting one) join the current generation, then become links to it: each name
    resolves to the same bytes before and after."""
    plain = [
        p
        for p in sorted(out.iterdir())
        if _is_pack_name(stem, p.name) and p.is_file() and not p.is_symlink()
    ]
    if not plain:
        return
    current = hidden / CURRENT
    if current.is_symlink() and (hidden / os.readlink(current)).is_dir():
        home = hidden / os.readlink(current)
    else:
        home = Path(tempfile.mkdtemp(prefix="earlier-", dir=hidden))
        os.chmod(home, _mode() | 0o111)
    for p in plain:
        if not (home / p.name).exists():
            try:
                os.link(p, home / p.name)
            except OSError:
                shutil.copy2(p, home / p.name)
    fsync_dir(home)
    if not current.is_symlink() or os.readlink(current) != home.name:
        _replace_symlink(home.name, current)
    for p in plain:
        _replace_symlink(_link_target(stem, p.name), p)
    fsync_dir(out)


def _swap_in(out: Path, stem: str, hidden: Path, generation: Path, names: list[str]) -> None:
    """Visible links for every new name, then the one atomic switch of ``current``."""
    current = hidden / CURRENT
    for name in names:
        visible = out / name
        if not _points_through_current(out, stem, visible):
            _replace_symlink(_link_target(stem, name), visible)
    fsync_dir(out)
    previous = os.readlink(current) if current.is_symlink() else None
    _replace_symlink(generation.name, current)  # the commit point
    fsync_dir(hidden)
    if previous and previous != generation.name:
        shutil.rmtree(hidden / previous, ignore_errors=True)
    clean_leftovers(out, stem)


def _write_plain(plan: list[tuple[str, Render]], out: Path, tick=None) -> list[Path]:
    """Fallback without symbolic links: each file through a temporary name, then renamed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for name, render in plan:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            staged.append((Path(tmp), out / name))
            _render_all([(Path(tmp).name, lambda p, r=render: r(p))], out, tick)
        for tmp_path, final in staged:
            os.replace(tmp_path, final)
    except BaseException:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
        raise
    fsync_dir(out)
    return [final for _, final in staged]


def _symlinks_work(out: Path) -> bool:
    probe = out / f".forecaster-symlink-probe-{uuid.uuid4().hex[:8]}"
    try:
        os.symlink("target", probe)
    except OSError:
        return False
    probe.unlink()
    return True


def write_review(
    pack: ReviewPack, out_dir: str | Path, formats: str | Iterable[str] | None = None
) -> list[Path]:
    """Write the pack's files under ``out_dir`` (created if missing); returns their paths.

    ``formats``: any of "xlsx", "csv", "html", "pdf" (default: all). All or nothing as a
    set (see the module docstring): on any error, or if the process is killed, the
    earlier pack of the month stays whole and nothing of this run is visible.
    """
    wanted = parse_formats(formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; expected a directory for the review pack")
    out.mkdir(parents=True, exist_ok=True)
    plan = list(_plan(pack, wanted))
    names = [name for name, _ in plan]
    tick = progress.begin(f"Writing the review pack for {pack.month}", total=len(plan))
    try:
        if not _symlinks_work(out):
            return _write_plain(plan, out, tick)
        return _write_set(pack.stem, plan, out, names, tick)
    finally:
        tick.end()


def _write_set(
    stem: str, plan: list[tuple[str, Render]], out: Path, names: list[str], tick
) -> list[Path]:
    """Render into a new generation, then swap it in as one set (see the module doc)."""
    hidden = _pack_dir(out, stem)
    created = not hidden.exists()
    hidden.mkdir(exist_ok=True)
    generation: Path | None = None
    try:
        with _month_lock(hidden):
            clean_leftovers(out, stem)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            generation = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=hidden))
            os.chmod(generation, _mode() | 0o111)  # mkdtemp's 0700 would hide the pack
            _render_all(plan, generation, tick)
            _adopt_plain_files(out, stem, hidden)
            _swap_in(out, stem, hidden, generation, names)
    except BaseException:
        current = hidden / CURRENT
        if generation is not None and not (
            current.is_symlink() and os.readlink(current) == generation.name
        ):
            shutil.rmtree(generation, ignore_errors=True)
        if created and not current.is_symlink():
            shutil.rmtree(hidden, ignore_errors=True)
        raise
    return [out / name for name in names]
