"""Billing source readers: each maps one provider format onto the canonical FOCUS table.

``read_billing_file`` is the entry point; ``detect_format`` says which reader a file needs.
Provider-specific column names never leave this package.
"""

from forecaster.billing.formats import detect_format
from forecaster.billing.readers import FORMATS, read_billing_file
from forecaster.billing.source import SourceFrame

__all__ = ["FORMATS", "SourceFrame", "detect_format", "read_billing_file"]
