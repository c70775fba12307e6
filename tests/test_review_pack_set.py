"""The review pack is all or nothing as a set (issue #20 case 14).

``forecaster review`` killed at any point leaves the output directory with one complete
pack, the earlier one or the new one, never a mix; what a killed run left behind is
removed by the next run. Checked in process by failing every step of the swap in turn,
and through the real CLI by SIGKILL at random moments.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forecaster.review import write as write_module
from forecaster.review import write_review
from tests.review_helpers import SAMPLE_MONTH, make_store, row, sample_pack

STEM = f"review-{SAMPLE_MONTH}"


def visible_pack(out: Path, stem: str = STEM) -> dict[str, bytes]:
    """What a reader of ``out`` sees of the month's pack: name -> bytes, asserting that
    every name resolves into one and the same generation (one run's set)."""
    files = {
        p.name: p
        for p in out.iterdir()
        if (p.name.startswith(f"{stem}.") or p.name.startswith(f"{stem}-")) and p.is_file()
    }
    homes = {p.resolve().parent for p in files.values()}
    assert len(homes) <= 1, f"the visible pack mixes runs: {sorted(map(str, homes))}"
    return {name: p.read_bytes() for name, p in files.items()}


def leftovers(out: Path, stem: str = STEM) -> list[str]:
    """Hidden entries beyond the pointer, its generation and the lock; dangling links."""
    hidden = out / f".{stem}"
    keep = {"current", "lock"}
    if (hidden / "current").is_symlink():
        keep.add(os.readlink(hidden / "current"))
    extra = [p.name for p in hidden.iterdir() if p.name not in keep] if hidden.is_dir() else []
    extra += [p.name for p in out.iterdir() if p.is_symlink() and not p.exists()]
    extra += [p.name for p in out.iterdir() if p.name.endswith((".tmp", ".link"))]
    return extra


def test_a_second_run_switches_the_whole_set_and_drops_names_it_no_longer_has(tmp_path):
    out = tmp_path / "out"
    write_review(sample_pack(), out, ["csv", "html"])
    first = visible_pack(out)
    assert f"{STEM}.html" in first and f"{STEM}-headline.csv" in first
    write_review(sample_pack(), out, ["html"])
    second = visible_pack(out)
    assert list(second) == [f"{STEM}.html"]
    assert second[f"{STEM}.html"] == first[f"{STEM}.html"]
    assert leftovers(out) == []


@pytest.mark.parametrize("fail_at", range(8))
def test_a_failure_at_any_step_of_the_swap_leaves_the_earlier_pack_whole(
    tmp_path, monkeypatch, fail_at
):
    """Each atomic step (link, rename, remove) fails in turn: the visible set is the old
    one or the new one, and the next run leaves nothing behind."""
    out = tmp_path / "out"
    write_review(sample_pack(), out, ["csv"])
    old = visible_pack(out)
    calls = {"n": 0}
    real = {"symlink": os.symlink, "replace": os.replace}

    def flaky(name):
        def call(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == fail_at + 2:  # the first call is the capability probe
                raise OSError("simulated crash")
            return real[name](*args, **kwargs)

        return call

    for name in real:
        monkeypatch.setattr(write_module.os, name, flaky(name))
    try:
        write_review(sample_pack(), out, ["html"])
        crashed = False
    except OSError:
        crashed = True
    seen = visible_pack(out)
    new_names = [f"{STEM}.html"]
    assert seen == old or list(seen) == new_names
    assert crashed == (seen == old)
    for name, function in real.items():
        monkeypatch.setattr(write_module.os, name, function)
    write_review(sample_pack(), out, ["csv", "html"])
    assert leftovers(out) == []
    assert set(visible_pack(out)) == set(old) | set(new_names)


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    write_review(sample_pack(), out, ["html"])
    hidden = out / f".{STEM}"
    (hidden / "20260101T000000-killed").mkdir()
    (hidden / "20260101T000000-killed" / f"{STEM}.html").write_text("half")
    (out / f".{STEM}-headline.csv.abc123.tmp").write_text("earlier writer's temporary")
    os.symlink(f".{STEM}/current/{STEM}-gone.csv", out / f"{STEM}-gone.csv")
    assert sorted(leftovers(out)) == [
        f".{STEM}-headline.csv.abc123.tmp",
        "20260101T000000-killed",
        f"{STEM}-gone.csv",
    ]
    write_review(sample_pack(), out, ["html"])
    assert leftovers(out) == []


def test_a_pack_of_plain_files_from_an_earlier_version_is_replaced_as_a_set(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{STEM}.pdf").write_bytes(b"%PDF earlier")
    (out / f"{STEM}-headline.csv").write_text("earlier\n")
    (out / "notes.txt").write_text("the user's own file")
    write_review(sample_pack(), out, ["html"])
    assert list(visible_pack(out)) == [f"{STEM}.html"]
    assert (out / "notes.txt").read_text() == "the user's own file"
    assert leftovers(out) == []


# --- the real CLI, killed at random moments ------------------------------------------------

KILLS = 24


def _forecaster() -> str:
    exe = Path(sys.executable).with_name("forecaster")
    assert exe.is_file(), f"{exe}: the console script is not installed (make install-test)"
    return str(exe)


def _review(store: Path, out: Path, formats: str) -> list[str]:
    return [
        _forecaster(), "review", "--month", SAMPLE_MONTH, "--store", str(store),
        "--out", str(out), "--formats", formats,
    ]  # fmt: skip


@pytest.mark.slow
def test_forecaster_review_killed_at_random_points_leaves_one_complete_pack(tmp_path):
    rows = [
        row(month, cost, service=service, day=day)
        for month, scale in (("2026-09", 1.0), ("2026-10", 1.2))
        for service, base in (("Compute", 40.0), ("Storage", 12.5), ("Database", 30.0))
        for day, cost in ((d, round(base * scale + d / 7, 2)) for d in range(1, 29, 3))
    ]
    store = make_store(tmp_path, rows)
    out = tmp_path / "out"
    env = {**os.environ, "FORECASTER_WORKLOADS": ""}
    # The two packs a reader may see: csv+html (A) and html+xlsx (B), each complete.
    packs = {}
    for label, formats in (("B", "html,xlsx"), ("A", "csv,html")):
        started = time.monotonic()
        done = subprocess.run(
            _review(store, out, formats), cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        packs[label] = sorted(visible_pack(out))
        duration = time.monotonic() - started
    assert packs["A"] != packs["B"]
    rng = random.Random(20)
    outcomes = {"A": 0, "B": 0, "left something behind": 0}
    formats = {"A": "csv,html", "B": "html,xlsx"}
    hidden = out / f".{STEM}"
    current, window = "A", 0.2  # seconds after the run starts writing
    for _ in range(KILLS):
        target = "B" if current == "A" else "A"
        before = {p.name for p in hidden.iterdir()}
        child = subprocess.Popen(
            _review(store, out, formats[target]),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Most of a run is start-up and building the pack; the kill is aimed at the part
        # that writes: a random moment in the first `window` seconds after the run's new
        # generation directory appears (the window adapts so both outcomes occur).
        while child.poll() is None and not {p.name for p in hidden.iterdir()} - before:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, window))
        child.send_signal(signal.SIGKILL)
        child.wait()
        names = sorted(visible_pack(out))  # also asserts one generation
        assert names in (packs["A"], packs["B"]), names
        switched = names == packs[target]
        current = target if switched else current
        window = window * 0.7 if switched else min(window * 1.4, 5 * duration)
        outcomes[current] += 1
        outcomes["left something behind"] += bool(leftovers(out))
    done = subprocess.run(
        _review(store, out, formats["A"]), cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(visible_pack(out)) == packs["A"]
    assert leftovers(out) == []
    print(f"after {KILLS} kills: {outcomes}")
