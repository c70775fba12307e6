"""What a billing source says about itself, per billing period and currency: rows, the
exact sums of its own cost columns, counts of unparseable values and of rows the period
rules refuse, and the (provider|account) scope.

The profile works on small aggregates, never on rows: ``profile_inputs`` gives the columns
it needs beside the canonical ones, so the ingest computes it in the same streaming pass as
the write (``profile_groups`` per batch, ``profile_of_groups`` at the end), or on its own
(``profile_source``) where reading a few typed columns is cheap. The source is validated
from it (:mod:`forecaster.source_checks`) and reconciled against it
(:mod:`forecaster.reconcile`).
"""

from __future__ import annotations

import polars as pl

from forecaster import columns as C
from forecaster.billing import SourceFrame
from forecaster.billing.parse import bad_values
from forecaster.errors import InputError, clip
from forecaster.months import month_end, month_start

MAX_SCOPE = 1000  # provider|account pairs kept per period (to tell deliveries apart)


def period_label(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%Y-%m")


#: Row rules checked on the staged canonical Parquet (cheap columnar aggregates) rather
#: than on the source; the others (month bounds) on the profile's few period groups.
STAGED_RULES = ("charge_order", "charge_window", "money_")


def profile_source(sf: SourceFrame) -> pl.DataFrame:
    """Per billing period and currency: rows, source cost sums, unparseable-value counts,
    rows the billing-period rules refuse and the (provider|account) scope.

    One streaming pass groups by the source's BillingPeriodStart/End cells as read (a few
    distinct values per file); they are parsed, turned into months and checked on those few
    groups, not on every row. Ingest runs :func:`profile_plan` in the same pass as the
    write instead (see ``forecaster.ingest_staging``).
    """
    try:
        groups = profile_plan(sf).collect(engine="streaming")
    except pl.exceptions.PolarsError as exc:
        raise InputError(clip(f"{sf.path}: cannot be read: {exc}")) from exc
    return profile_of_groups(sf, groups)


def profile_inputs(sf: SourceFrame) -> tuple[dict[str, pl.Expr], list[str]]:
    """(the per-row values the profile aggregates, by name; the names it groups by)."""
    null_text = pl.lit(None, dtype=pl.String)
    parsed = sf.parsed_periods or {c: sf.columns[c] for c in C.TIMESTAMP_COLUMNS if c in sf.columns}
    inputs: dict[str, pl.Expr] = {}
    bounds = [c for c in (C.BILLING_PERIOD_START, C.BILLING_PERIOD_END) if c in parsed]
    if _raw_cells(sf):  # group by the cells as read, parse the few distinct values afterwards
        keys = [sf.raw_names[c] for c in bounds]
        inputs.update({k: pl.col(k) for k in keys})
    else:
        keys = [f"_{c}" for c in bounds]
        inputs.update({f"_{c}": parsed[c] for c in bounds})
    inputs["_currency"] = sf.columns.get(C.BILLING_CURRENCY, null_text)
    inputs.update({f"src_{name}": expr for name, expr in sf.checks.items()})
    inputs.update(
        {
            f"bad_{name}": bad_values(raw_cell, parsed_value)
            for name, (raw_cell, parsed_value) in sf.parsed_from.items()
        }
    )
    inputs["scope"] = pl.concat_str(
        [
            sf.columns.get(C.PROVIDER_NAME, null_text).cast(pl.String).fill_null(""),
            sf.columns.get(C.BILLING_ACCOUNT_ID, null_text).cast(pl.String).fill_null(""),
        ],
        separator="|",
    )
    return inputs, [*keys, "_currency"]


def profile_groups(frame, keys: list[str]):
    """:func:`profile_inputs` values (a DataFrame or LazyFrame) aggregated per group and
    scope. The scope is a grouping key (a few values per file) rather than a list gathered
    per group, which would hold every row's value in memory."""
    sums = [c for c in frame.collect_schema().names() if c.startswith(("src_", "bad_"))]
    return frame.group_by([*keys, "scope"]).agg(pl.len().alias("rows"), pl.col(sums).sum())


def profile_plan(sf: SourceFrame, raw: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """The profile's aggregation over ``raw`` (default the whole source) as a plan: one row
    per BillingPeriodStart/End cell pair and currency. Groups of several plans (chunks or
    batches of one file) are concatenated and finished by :func:`profile_of_groups`."""
    inputs, keys = profile_inputs(sf)
    frame = (sf.raw if raw is None else raw).select(**inputs)
    return profile_groups(frame, keys)


def _raw_cells(sf: SourceFrame) -> bool:
    parsed = sf.parsed_periods or sf.columns
    bounds = [c for c in (C.BILLING_PERIOD_START, C.BILLING_PERIOD_END) if c in parsed]
    return all(c in sf.raw_names for c in bounds)


def profile_of_groups(sf: SourceFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """The profile (one row per billing period and currency) from :func:`profile_plan`'s
    groups: the few distinct period cells parsed, turned into months and checked."""
    null_time = pl.lit(None, dtype=C.UTC_DATETIME)
    parsed = sf.parsed_periods or {c: sf.columns[c] for c in C.TIMESTAMP_COLUMNS if c in sf.columns}
    raw_cells = _raw_cells(sf)
    sums = [c for c in groups.columns if c == "rows" or c.startswith(("src_", "bad_"))]
    groups = groups.group_by(profile_inputs(sf)[1]).agg(
        pl.col(sums).sum(), pl.col("scope").unique().head(MAX_SCOPE)
    )
    groups = groups.with_columns(
        (
            parsed[C.BILLING_PERIOD_START] if raw_cells else pl.col(f"_{C.BILLING_PERIOD_START}")
        ).alias("_s"),
        (
            (parsed[C.BILLING_PERIOD_END] if raw_cells else pl.col(f"_{C.BILLING_PERIOD_END}"))
            if C.BILLING_PERIOD_END in parsed
            else null_time
        ).alias("_e"),
    )
    cell = sf.raw_names[C.BILLING_PERIOD_START] if raw_cells else None
    return _by_period(groups, [r.name for r in sf.row_rules], cell)


def _by_period(groups: pl.DataFrame, rule_names: list[str], cell: str | None) -> pl.DataFrame:
    """The profile's groups (one per BillingPeriodStart/End/currency) per billing month."""
    from forecaster.billing.periods import period_columns

    bounds = {C.BILLING_PERIOD_START: pl.col("_s"), C.BILLING_PERIOD_END: pl.col("_e")}
    months, rules = period_columns(bounds)
    group_rules = {
        f"rule_{r.name}": pl.when(r.bad).then(pl.col("rows")).otherwise(0)
        for r in rules
        if not r.name.startswith(STAGED_RULES)
    }
    groups = groups.with_columns(
        period_label(months[C.BILLING_PERIOD_START]).alias("billing_period"), **group_rules
    )
    numeric = [c for c in groups.columns if c == "rows" or c.startswith(("src_", "bad_", "rule_"))]
    cells = [pl.col(cell).unique().alias("_cells")] if cell is not None else []
    out = groups.group_by("billing_period", "_currency", maintain_order=True).agg(
        pl.col(numeric).sum(),
        pl.col("scope").explode().unique().drop_nulls().head(MAX_SCOPE),
        *cells,
    )
    missing = [
        f"rule_{n}"
        for n in rule_names
        if f"rule_{n}" not in out.columns and not n.startswith(STAGED_RULES)
    ]
    return out.with_columns(*[pl.lit(0).alias(m) for m in missing])


def with_month_cells(sf: SourceFrame, profile: pl.DataFrame) -> SourceFrame:
    """``sf`` with BillingPeriodStart/End looked up from the few source cells the profile
    saw (a hash lookup per row instead of parsing and month arithmetic per row)."""
    from dataclasses import replace

    if "_cells" not in profile.columns or C.BILLING_PERIOD_START not in sf.raw_names:
        return sf
    old, starts, ends = [], [], []
    for period, cells in (
        profile.select("billing_period", "_cells").unique("billing_period").iter_rows()
    ):
        if period is None:
            continue
        start, end = month_start(period), month_end(period)
        for c in cells:
            if c not in old:
                old.append(c)
                starts.append(start)
                ends.append(end)
    raw = pl.col(sf.raw_names[C.BILLING_PERIOD_START])
    columns = dict(sf.columns)
    columns[C.BILLING_PERIOD_START] = raw.replace_strict(
        old, starts, default=None, return_dtype=C.UTC_DATETIME
    )
    if C.BILLING_PERIOD_END in columns:
        columns[C.BILLING_PERIOD_END] = raw.replace_strict(
            old, ends, default=None, return_dtype=C.UTC_DATETIME
        )
    return replace(sf, columns=columns)
