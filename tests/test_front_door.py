"""The front door: ``import forecaster`` gives the entry points, and the README's Python
section runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import forecaster

ROOT = Path(__file__).resolve().parent.parent


def readme_python() -> str:
    """The README's ```python block under its "## Python" heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the Python section holds one runnable example"
    return blocks[0]


def test_every_entry_point_resolves_to_a_documented_object():
    for name in forecaster.__all__:
        value = getattr(forecaster, name)
        assert value.__doc__, f"forecaster.{name} has no docstring"
        assert name in forecaster.__doc__, f"the package docstring does not show {name}"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        forecaster.nosuch  # noqa: B018


def test_importing_the_package_loads_no_heavy_module():
    code = "import sys, forecaster; print(sorted(m for m in ('polars', 'scipy', 'dash') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(readme_python(), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "search: cost grows as load to the power 1.3" in out  # the sample's planted k = 1.35
    assert "80% range" in out and "e+" not in out
    assert re.search(r"throughput peaks at \d+ queries/s with \d+ users", out)
    assert (tmp_path / "demo" / "review" / "review-2026-10.xlsx").is_file()


def test_all_lists_exactly_the_entry_points():
    assert sorted(forecaster.__all__) == sorted(forecaster._ENTRY_POINTS)
