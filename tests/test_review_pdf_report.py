"""The sample month's PDF reads as a report: a first page that stands alone, at most 12
pages, and no page (but the last) mostly blank, measured on the rendered pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.review_helpers import SAMPLE_MONTH, written_sample

MAX_PAGES = 12
MAX_BLANK = 0.60
DPI = 40
GAP_IN = 0.3  # a run of empty pixel rows taller than this is blank space, not line spacing

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)


def _pdf():
    out, _ = written_sample()
    return out / f"review-{SAMPLE_MONTH}.pdf"


def _pages(tmp_path) -> list[np.ndarray]:
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(_pdf()), str(tmp_path / "p")], check=True
    )
    return [np.asarray(Image.open(p).convert("L")) for p in sorted(tmp_path.glob("p-*.png"))]


def blank_share(page: np.ndarray) -> float:
    """Share of the page's printable height (inside 0.5 in margins) in runs of empty rows
    taller than GAP_IN: the space a reader sees as empty."""
    margin = int(0.5 * DPI)
    body = page[margin:-margin, margin:-margin]
    empty = (body > 245).all(axis=1)
    blank, run = 0, 0
    for is_empty in [*empty, False]:
        if is_empty:
            run += 1
            continue
        if run > GAP_IN * DPI:
            blank += run
        run = 0
    return blank / len(empty)


def test_the_sample_month_fits_in_twelve_pages(tmp_path):
    info = subprocess.run(["pdfinfo", str(_pdf())], check=True, capture_output=True, text=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert 3 <= pages <= MAX_PAGES


def test_no_page_but_the_last_is_mostly_blank(tmp_path):
    pages = _pages(tmp_path)
    shares = [round(blank_share(p), 2) for p in pages]
    assert all(s <= MAX_BLANK for s in shares[:-1]), shares


def test_blank_share_sees_an_empty_page_and_a_full_one():
    empty = np.full((330, 470), 255, dtype=np.uint8)
    assert blank_share(empty) == 1.0
    striped = empty.copy()
    striped[::4] = 0  # a line of ink every 4 rows: line spacing, not blank space
    assert blank_share(striped) == 0.0


def test_the_first_page_stands_alone():
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(_pdf()), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    text = re.sub(r"\s+", " ", text)
    assert "Cloud cost review: October 2026" in text
    assert "USD 205,910.14 effective cost" in text  # the total
    assert "+USD 14,063.64 (+7.3%) on September 2026" in text  # the change
    assert "Why: volume (organic growth) +USD 10,322.55" in text  # and why
    assert "What fixing it is worth: fix search scaling" in text  # waste and its worth
    assert "next 12 months USD" in text  # the forecast
    assert "reaches its ceiling around 30 Mar 2027" in text  # the ceiling date


ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "pdf"


def test_pdf_pages_are_kept_as_reviewable_pngs():
    """Every page as a PNG under tests/artifacts/pdf (``make artifacts``), for a person to
    look at; the old pages are replaced, not mixed with the new."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(_pdf()), str(ARTIFACTS / "page")], check=True
    )
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert 3 <= len(pages) <= MAX_PAGES
    assert all(Image.open(p).size[0] > Image.open(p).size[1] for p in pages)  # A4 landscape
