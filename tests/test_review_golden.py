"""Golden files for the bundled sample's review of 2026-10: the headline and bridge CSVs and
the text of the PDF's summary page (pdftotext, whitespace normalised).

Regenerate after a deliberate change (then review the diff in git)::

    FORECASTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_review_golden.py

The sample is ingested at a fixed date (tests/review_helpers.py), so the files do not
depend on the clock. The bridge and the summary's findings come from the cost curves: a
change to the curve fitting changes them, which is what these files are here to show.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.review_helpers import SAMPLE_MONTH, written_sample

GOLDEN = Path(__file__).parent / "golden" / "review"
UPDATE = os.environ.get("FORECASTER_UPDATE_GOLDEN") == "1"


MONEY = re.compile(r"\d{1,3}(?:,\d{3})*\.\d{2}\b")


def within_a_cent(actual: str, golden: str) -> bool:
    """The same text, and every amount with cents within one cent of the golden one: a
    model figure (a least-squares fit's waste) whose last float bits move with the
    platform's numpy/scipy can round to the other side of a half cent."""
    if MONEY.sub("#", actual) != MONEY.sub("#", golden):
        return False
    a = [float(m.replace(",", "")) for m in MONEY.findall(actual)]
    g = [float(m.replace(",", "")) for m in MONEY.findall(golden)]
    return len(a) == len(g) and all(abs(x - y) <= 0.0100001 for x, y in zip(a, g, strict=True))


def _check(name: str, actual: bytes, cent: bool = False) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
    assert path.exists(), f"{path} is missing: run with FORECASTER_UPDATE_GOLDEN=1"
    got, want = actual.decode(), path.read_bytes().decode()
    if cent and within_a_cent(got, want):
        return
    assert got == want, f"{name} differs from its golden file"


def test_a_cent_of_float_noise_is_tolerated_and_a_real_change_is_not():
    golden = "USD 44,736.71 of October (idle USD 13,527.88)"
    assert within_a_cent("USD 44,736.70 of October (idle USD 13,527.88)", golden)
    assert not within_a_cent("USD 44,736.68 of October (idle USD 13,527.88)", golden)
    assert not within_a_cent("USD 44,736.71 of November (idle USD 13,527.88)", golden)


@pytest.mark.parametrize("table", ["headline", "bridge"])
def test_csv_matches_its_golden_file(table):
    out, _ = written_sample()
    _check(f"{table}.csv", (out / f"review-{SAMPLE_MONTH}-{table}.csv").read_bytes())


def normalised_pdf_text(pdf: Path, page: int) -> str:
    """pdftotext of one page with runs of spaces collapsed and blank lines dropped."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_pdf_summary_page_matches_its_golden_text():
    out, _ = written_sample()
    text = normalised_pdf_text(out / f"review-{SAMPLE_MONTH}.pdf", 1)
    _check("pdf-summary.txt", text.encode(), cent=True)
