"""Downloads: the monthly review pack (``forecaster.review``) as one file per request.

The pack's writers already keep billing text inert (formula-safe spreadsheets, escaped
HTML); this module only picks the format, writes it through ``write_review`` into a
temporary directory and returns the bytes, zipping the one-CSV-per-table format.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from forecaster.errors import InputError
from forecaster.review import ReviewPack, write_review

DOWNLOAD_FORMATS: dict[str, str] = {
    "xlsx": "Excel workbook (XLSX)",
    "pdf": "PDF",
    "html": "HTML page",
    "csv": "CSV tables (zip)",
}


def safe_filename(*parts: str, suffix: str = "") -> str:
    """A file name from parts that may come from data: letters, digits, '-', '_' and '.' only."""
    text = "-".join(str(p) for p in parts if p)
    clean = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in text)
    return (clean.strip(".") or "export") + suffix


def review_file(pack: ReviewPack, fmt: str) -> tuple[str, bytes]:
    """(file name, content) of the pack in one of DOWNLOAD_FORMATS; "csv" is a zip of the
    pack's CSV tables."""
    if fmt not in DOWNLOAD_FORMATS:
        raise InputError(f"download format {fmt!r}: expected one of {', '.join(DOWNLOAD_FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="review-") as tmp:
        paths = write_review(pack, tmp, fmt)
        if fmt != "csv":
            (path,) = paths
            return safe_filename(path.name), path.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(paths):
                archive.write(path, arcname=Path(path).name)
        return safe_filename(pack.stem, suffix="-csv.zip"), buffer.getvalue()
