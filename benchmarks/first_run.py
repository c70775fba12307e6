"""First run: `make run` on a fresh clone, timed from the command to the dashboard answering.

    python3 benchmarks/first_run.py [--repo .] [--port 8079] [--keep]

Clones the repository (its committed state, as a new user gets it) into a temporary folder
with ../shared beside it, runs `make run` there and polls http://127.0.0.1:PORT/ until it
answers 200. Reported, in seconds from the start of `make run`: each step the Makefile
announces with a "==> make:" line, and the first answer of the dashboard. The target of
issue #17 is 60 s with a warm package cache (pip's cache from an earlier install).

The reference in the same run is `pip install -e .` alone into a second new virtual
environment (what the install step can cost at best with the same cache), so a slow figure
can be told apart from a slow package index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

STEP = "==> make:"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def time_make_run(clone: Path, port: int, limit_s: float = 600.0) -> list[tuple[float, str]]:
    """Seconds from the start of `make run` to each announced step and to the first answer."""
    start = time.monotonic()
    marks: list[tuple[float, str]] = []
    log = clone / "first-run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=clone,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    seen = 0
    try:
        while time.monotonic() - start < limit_s:
            lines = log.read_text(errors="replace").splitlines()
            for line in lines[seen:]:
                if line.startswith(STEP):
                    marks.append((time.monotonic() - start, line[len(STEP) :].strip()))
            seen = len(lines)
            if _answers(f"http://127.0.0.1:{port}/"):
                marks.append((time.monotonic() - start, "the dashboard answers 200"))
                return marks
            if proc.poll() is not None:
                tail = "\n".join(lines[-20:])
                raise SystemExit(f"make run stopped with code {proc.returncode}:\n{tail}")
            time.sleep(0.25)
        raise SystemExit(f"the dashboard did not answer within {limit_s:.0f} s")
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def time_plain_install(clone: Path) -> float:
    """Seconds of `python -m venv` plus `pip install -e .` into a second new environment."""
    venv = clone / ".venv-reference"
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "-e", "."],
        cwd=clone,
        check=True,
    )
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=".", help="the repository to clone (its HEAD)")
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone")
    args = parser.parse_args()
    repo = Path(args.repo).resolve()
    root = Path(tempfile.mkdtemp(prefix="first-run-"))
    shared = repo.parent / "shared"
    if shared.is_dir():
        (root / "shared").symlink_to(shared)
    clone = root / "main"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    try:
        marks = time_make_run(clone, args.port)
        reference = time_plain_install(clone)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"make run on a fresh clone of {repo} (load average {os.getloadavg()[0]:.1f})")
    for seconds, what in marks:
        print(f"  {seconds:6.1f} s  {what}")
    print(f"reference: new venv + pip install -e . alone: {reference:.1f} s")


if __name__ == "__main__":
    main()
