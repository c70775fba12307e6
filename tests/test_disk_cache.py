"""The disk cache beside the store: a restart reads what an earlier process fitted, and any
change to what a result depends on (an ingest, the workloads file, the product's code)
computes it afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from forecaster import cache as disk_cache
from forecaster.cache import DiskCache
from forecaster.ingest import ingest_billing
from tests.conftest import SHARED_DATA


@pytest.fixture
def sample_copy(sample_data, tmp_path) -> dict[str, Path]:
    """A private copy of the sample's files and store (the cache writes into the store)."""
    sample, store = sample_data
    shutil.copytree(store, tmp_path / "store", ignore=shutil.ignore_patterns("cache"))
    shutil.copy(sample / "workloads.toml", tmp_path / "workloads.toml")
    return {"store": tmp_path / "store", "workloads": tmp_path / "workloads.toml",
            "billing": sample / "billing"}  # fmt: skip


class Counter:
    def __init__(self, value=42):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_second_process_reads_the_result_instead_of_computing(sample_copy):
    first = Counter({"a": np.arange(3)})
    DiskCache(sample_copy["store"], [sample_copy["workloads"]]).get_or_compute("x", (), first)
    again = Counter()
    value = DiskCache(sample_copy["store"], [sample_copy["workloads"]]).get_or_compute(
        "x", (), again
    )
    assert (first.calls, again.calls) == (1, 0)
    assert np.array_equal(value["a"], np.arange(3))


def test_arguments_are_part_of_the_key(sample_copy):
    cache = DiskCache(sample_copy["store"])
    assert cache.key("fits", ("2025-01", None)) != cache.key("fits", (None, None))


def test_an_ingest_invalidates_the_cache(sample_copy):
    cache = DiskCache(sample_copy["store"], [sample_copy["workloads"]])
    before = cache.key("fits")
    ingest_billing([SHARED_DATA / "billing" / "focus-1.0-sample.csv"], sample_copy["store"],
                   source="another-feed")  # fmt: skip
    assert cache.key("fits") != before


def test_a_changed_workloads_file_invalidates_the_cache(sample_copy):
    cache = DiskCache(sample_copy["store"], [sample_copy["workloads"]])
    before = cache.key("fits")
    with sample_copy["workloads"].open("a") as fh:
        fh.write("\n# a comment is a change too\n")
    assert cache.key("fits") != before


def test_the_same_workloads_under_another_name_is_another_key(sample_copy, tmp_path):
    """Results name the files they used, so a copy's results are its own."""
    copy = tmp_path / "copy.toml"
    shutil.copy(sample_copy["workloads"], copy)
    first = DiskCache(sample_copy["store"], [sample_copy["workloads"]]).key("fits")
    assert DiskCache(sample_copy["store"], [copy]).key("fits") != first


def test_a_new_version_of_the_product_invalidates_the_cache(sample_copy, monkeypatch):
    cache = DiskCache(sample_copy["store"])
    before = cache.key("fits")
    monkeypatch.setattr(disk_cache, "code_fingerprint", lambda: "another version")
    assert cache.key("fits") != before


def test_the_code_fingerprint_covers_the_package_source():
    assert len(disk_cache.code_fingerprint()) == 64


def test_an_unreadable_entry_is_recomputed(sample_copy):
    cache = DiskCache(sample_copy["store"])
    cache.get_or_compute("x", (), Counter(1))
    cache.path("x", ()).write_bytes(b"\x80\x05 truncated")
    counter = Counter(2)
    assert cache.get_or_compute("x", (), counter) == 2 and counter.calls == 1


def test_the_cache_can_be_turned_off(sample_copy, monkeypatch):
    monkeypatch.setenv("FORECASTER_NO_DISK_CACHE", "1")
    counter = Counter()
    cache = DiskCache(sample_copy["store"])
    cache.get_or_compute("x", (), counter)
    cache.get_or_compute("x", (), counter)
    assert counter.calls == 2 and not cache.root.exists()


def test_a_read_only_store_still_answers(sample_copy, monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(disk_cache, "atomic_write_bytes", refuse)
    assert DiskCache(sample_copy["store"]).get_or_compute("x", (), Counter(7)) == 7


def test_a_cached_fit_equals_a_fresh_one_after_a_restart(sample_copy, monkeypatch):
    from dashboard import loader

    loader.configure(sample_copy["store"], sample_copy["workloads"])
    fresh = loader.fits()
    loader.clear()  # what a restart loses: the memory cache
    import forecaster.views.workloads as fitting

    def no_refit(*args, **kwargs):
        raise AssertionError("refitted although the disk cache holds the fits")

    monkeypatch.setattr(fitting, "fit_window", no_refit)
    cached = loader.fits()
    assert list(cached) == list(fresh)
    assert loader.disk().path("fits", ()).is_file()
    loads = np.array([1e5, 1e6, 5e6])
    for name, fit in fresh.items():
        assert cached[name].summary == fit.summary, name
        if fit.curve is not None:
            a, b = fit.curve.predict(loads), cached[name].curve.predict(loads)
            assert a.equals(b) if hasattr(a, "equals") else np.array_equal(a, b)
    loader.clear()


# ------------------------------------------------------- through the dashboard's loader
@pytest.fixture
def loader(sample_copy):
    """The dashboard loader on the private copy; its memory cache cleared, as a restart."""
    from dashboard import loader

    loader.configure(sample_copy["store"], sample_copy["workloads"])
    loader.clear()
    yield loader
    loader.clear()


def _restart(loader) -> None:
    loader.clear()  # a new process keeps only the disk cache


def test_after_an_ingest_a_restarted_loader_reads_the_new_bill(loader, sample_copy):
    before = loader.spend(None)["effective_cost"].sum()
    series_before = loader.series()
    _restart(loader)
    ingest_billing([SHARED_DATA / "billing" / "focus-1.0-sample.csv"], sample_copy["store"],
                   source="another-feed")  # fmt: skip
    assert loader.spend(None)["effective_cost"].sum() != pytest.approx(before)
    assert loader.series() is not series_before


def test_a_changed_workloads_file_refits_after_a_restart(loader, sample_copy):
    names = list(loader.fits())
    assert len(names) > 1
    _restart(loader)
    text = sample_copy["workloads"].read_text()
    first = text.index("[[workload]]")
    second = text.index("[[workload]]", first + 1)
    sample_copy["workloads"].write_text(text[second:])  # the first workload removed
    assert list(loader.fits()) == names[1:]


def test_a_new_version_of_the_product_recomputes(loader, monkeypatch):
    loader.fits()
    _restart(loader)
    calls = []
    import forecaster.views.workloads as fitting

    real = fitting.fit_window
    monkeypatch.setattr(fitting, "fit_window", lambda *a: calls.append(1) or real(*a))
    loader.fits()
    assert calls == []  # same version: read from disk
    _restart(loader)
    monkeypatch.setattr(disk_cache, "code_fingerprint", lambda: "the next version")
    loader.fits()
    assert calls == [1]


def test_the_fingerprint_changes_with_any_source_file_and_library_version(tmp_path, monkeypatch):
    package = tmp_path / "forecaster"
    shutil.copytree(Path(disk_cache.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    before = disk_cache.fingerprint_of(package)
    assert before == disk_cache.fingerprint_of(package) == disk_cache.code_fingerprint()
    deep = package / "curves" / "fit.py"
    deep.write_text(deep.read_text() + "\n# one more line\n")
    changed = disk_cache.fingerprint_of(package)
    assert changed != before
    real = disk_cache.metadata.version
    monkeypatch.setattr(disk_cache.metadata, "version",
                        lambda name: "99.0" if name == "scipy" else real(name))  # fmt: skip
    assert disk_cache.fingerprint_of(package) != changed


FIT_IN_ANOTHER_PROCESS = """
import sys
from dashboard import loader
loader.configure(sys.argv[1], sys.argv[2])
print(len(loader.fits()))
"""


def _close(a, b, rel: float = 1e-9) -> bool:
    """Equal, numbers to ``rel`` (NaN equal to NaN), through dicts and lists."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], rel) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return a == pytest.approx(b, rel=rel, nan_ok=True)
    return a == b


def test_a_fit_cached_by_another_process_equals_a_fresh_fit(sample_copy, monkeypatch):
    """The cached fits come from a separate Python process (a restart or a second
    gunicorn worker); the fresh ones are fitted here without any cache."""
    import subprocess
    import sys

    from dashboard import loader
    from forecaster.views.workloads import fit_window
    from forecaster.workloads import load_workloads, workload_series

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", FIT_IN_ANOTHER_PROCESS,
                          str(sample_copy["store"]), str(sample_copy["workloads"])],
                         cwd=root, capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    assert int(out.stdout.strip()) > 1
    workloads = load_workloads(sample_copy["workloads"])
    fresh = fit_window(workload_series(sample_copy["store"], workloads, "day"), workloads,
                       None, None)  # fmt: skip
    import forecaster.views.workloads as fitting

    monkeypatch.setattr(fitting, "fit_window", lambda *a: pytest.fail("refitted"))
    loader.configure(sample_copy["store"], sample_copy["workloads"])
    loader.clear()
    try:
        cached = loader.fits()
    finally:
        loader.clear()
    assert list(cached) == list(fresh)
    loads = np.array([1e3, 1e5, 1e6, 5e6])
    # Equal to the last floating-point digits that a process's state can move: OpenBLAS
    # sums in a different order once pyarrow is loaded (seen: the 12th significant digit).
    for name, fit in fresh.items():
        assert _close(cached[name].summary, fit.summary), name
        if fit.curve is not None:
            a = cached[name].curve.predict(loads, level=(80, 95))
            b = fit.curve.predict(loads, level=(80, 95))
            assert a.columns == b.columns, name
            for column in a.columns:
                assert a[column].to_list() == pytest.approx(b[column].to_list(), rel=1e-9), name
