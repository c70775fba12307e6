"""CSV: one file per table, reproducible to the byte.

UTF-8 without a byte-order mark, CRLF line ends and minimal quoting as RFC 4180 has them
(a field holding a CR or LF is quoted, so it cannot split a row), a header row of the
column names, values formatted by ``fmt.csv_value`` (money with 2 decimals, no thousands
separators) and text cells neutralised against formula injection (``safe.neutralise``). No
timestamps: the same pack gives the same bytes.
"""

from __future__ import annotations

import csv
import io

from forecaster.review.fmt import csv_value
from forecaster.review.pack import Table
from forecaster.review.safe import neutralise


def table_csv(table: Table) -> bytes:
    """The table as CSV bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = table.frame.columns
    kinds = [table.kind(c) for c in columns]
    writer.writerow(columns)
    for row in table.frame.iter_rows():
        writer.writerow(
            [
                neutralise(csv_value(v, k)) if k == "text" else csv_value(v, k)
                for v, k in zip(row, kinds, strict=True)
            ]
        )
    return out.getvalue().encode("utf-8")
