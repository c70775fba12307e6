"""The monthly cost review pack: the month's totals, breakdowns, bridge, findings and
outlook as tables, written as XLSX, CSV, HTML and PDF.

``build_review(store_dir, month, workloads_path=None, budget_path=None, ...)`` assembles a
``ReviewPack`` (plain tables with fixed column names); ``write_review(pack, out_dir,
formats)`` writes it, every file through a temporary name and a rename.
"""

from forecaster.review.content import build_review
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.write import FORMATS, parse_formats, write_review

__all__ = ["FORMATS", "ReviewPack", "Table", "build_review", "parse_formats", "write_review"]
