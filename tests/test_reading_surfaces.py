"""Words, not identifiers, on every surface a person reads, for the sample month: the CLI's
text output, the dashboard's pages (text, table headers and cells, figure titles, trace
names, axis titles) and the review pack (PDF text, HTML text, XLSX cells) show no exponent
notation, no snake_case identifiers and no ISO timestamps with a time of day
(``forecaster.format.reading_problems``).

File paths and named engine functions are taken out first (a temporary directory may hold
underscores; the glossary names the function behind each figure on purpose), and so are
the metric names of the user's own traffic files (shown as the user wrote them).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from forecaster.cli import main
from forecaster.format import reading_problems
from forecaster.sample import WIDE_METRICS
from forecaster.sample import truth as T
from tests import dashboard_support as support
from tests.review_helpers import SAMPLE_MONTH, sample_dirs, written_sample

USER_NAMES = sorted({w.metric for w in T.WORKLOADS} | set(WIDE_METRICS), key=len, reverse=True)
"""Metric names from the user's own traffic files: shown as the user wrote them."""
PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.\-]+)+/?|[\w.\-]+\.(?:csv|toml|json|parquet|xlsx)\b")


CODE = re.compile(r"\bforecaster(?:\.\w+)+")
"""A named engine function ("Computed by forecaster.review.spend.month_totals" in the
glossary): a reference to code, like a file path, not a label."""


def problems(text: str) -> list[str]:
    text = CODE.sub("<code>", PATH.sub("<path>", text))
    for name in USER_NAMES:
        text = text.replace(name, "<metric>")
    return reading_problems(text)


def _strings(value) -> list[str]:
    """Every text a person sees in a Dash component tree or a plotly figure."""
    out: list[str] = []
    if value is None or isinstance(value, bool | int | float):
        return out
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        for v in value:
            out += _strings(v)
        return out
    if isinstance(value, dict):
        if "data" in value and "layout" in value:  # a figure as a dict
            return _figure_text(value)
        return out
    props = getattr(value, "to_plotly_json", None)
    if hasattr(value, "layout") and hasattr(value, "data"):  # go.Figure
        return _figure_text(value.to_plotly_json())
    if props is None:
        return out
    for key in ("children", "label", "title", "placeholder"):
        out += _strings(getattr(value, key, None))
    for key in ("figure",):
        fig = getattr(value, key, None)
        if fig is not None:
            out += _strings(fig if isinstance(fig, dict) else fig)
    defs = getattr(value, "columnDefs", None)
    if defs:
        out += [str(d.get("headerName", "")) for d in defs]
    rows = getattr(value, "rowData", None)
    if rows:
        out += [v for r in rows for v in r.values() if isinstance(v, str)]
    options = getattr(value, "options", None)
    if isinstance(options, list):
        out += [o["label"] if isinstance(o, dict) else str(o) for o in options]
    return out


def _figure_text(fig: dict) -> list[str]:
    layout = fig.get("layout", {})
    out = []
    title = layout.get("title")
    out.append(title.get("text", "") if isinstance(title, dict) else str(title or ""))
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            t = axis.get("title")
            out.append(t.get("text", "") if isinstance(t, dict) else str(t or ""))
    out += [str(a.get("text", "")) for a in layout.get("annotations", []) or []]
    for trace in fig.get("data", []):
        out.append(str(trace.get("name") or ""))
    return out


# -- the review pack ---------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_pdf_reads_as_words():
    out, _ = written_sample()
    text = subprocess.run(
        ["pdftotext", str(out / f"review-{SAMPLE_MONTH}.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert problems(text) == []


def test_the_html_pack_reads_as_words():
    out, _ = written_sample()
    html = (out / f"review-{SAMPLE_MONTH}.html").read_text()
    visible = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", visible)
    assert problems(visible) == []


def test_the_xlsx_reads_as_words_but_its_sheet_names():
    out, _ = written_sample()
    wb = openpyxl.load_workbook(out / f"review-{SAMPLE_MONTH}.xlsx")
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            found += [p for v in row if isinstance(v, str) for p in problems(v)]
    assert found == []


# -- the CLI -----------------------------------------------------------------------------


def _cli(capsys, *argv) -> str:
    assert main(list(argv)) == 0, argv
    return capsys.readouterr().out


def test_cli_text_output_reads_as_words(capsys, tmp_path):
    sample, store = sample_dirs()
    workloads = str(sample / "workloads.toml")
    outputs = {
        "review": _cli(capsys, "review", "--store", str(store), "--month", SAMPLE_MONTH,
                       "--workloads", workloads, "--out", str(tmp_path), "--formats", "csv"),
        "curves": _cli(capsys, "curves", "--store", str(store), "--workloads", workloads),
        "store status": _cli(capsys, "store", "status", "--store", str(store)),
        "tco": _cli(capsys, "tco", "--store", str(store), "--workloads", workloads,
                    "--scenarios", str(sample / "scenarios.toml")),
        "scaling": _cli(capsys, "scaling", str(sample / "loadtest" / "search-loadtest.csv")),
        "bridge": _cli(capsys, "bridge", "--store", str(store), "--month", SAMPLE_MONTH,
                       "--workloads", workloads),
    }  # fmt: skip
    found = {name: problems(text) for name, text in outputs.items()}
    assert found == {name: [] for name in outputs}


# -- the dashboard -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return support.pages_for(support.session_sample(tmp_path_factory))


def test_dashboard_pages_read_as_words(pages):
    found = {}
    for name in ("overview", "workloads", "scaling", "forecast", "review", "data"):
        texts = _strings(pages[name].layout())
        found[name] = sorted({p for t in texts for p in problems(t)})
    review = pages["review"].update("USD", SAMPLE_MONTH, "xlsx")
    found["review callback"] = sorted({p for t in _strings(list(review)) for p in problems(t)})
    drill = pages["workloads"].update("search", None, None)
    found["workloads drill"] = sorted({p for t in _strings(list(drill)) for p in problems(t)})
    assert found == {k: [] for k in found}
