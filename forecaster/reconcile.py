"""Checks that make ingestion trustworthy: parse validation, reconciliation to the cent,
open/closed status and restatement detection.

Each check works on small aggregates (per billing period and currency), never on rows, so it
costs one streaming pass over a source and one over what was written.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing import SourceFrame
from forecaster.billing.parse import bad_values
from forecaster.errors import InputError, ReconciliationError, clip, quote
from forecaster.months import month_end, month_start
from forecaster.store import PartitionKey

CENT = 0.005  # two totals "equal to the cent" differ by less than half a cent
RESTATEMENT_THRESHOLD = 0.01  # a month shrinking by more than 1% is flagged
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


def staged_stats(files: list[Path]) -> dict[str, Any]:
    """Over one file's staged canonical rows of one period: the charge time range and the
    counts the staged rules refuse (non-finite or too large money, charges ending first)."""
    from forecaster.billing.parse import MAX_MONEY

    money = [
        (pl.col(m).is_nan() | (pl.col(m).abs() >= MAX_MONEY)).sum().alias(f"money_{m}")
        for m in C.MONEY_COLUMNS
    ]
    cs, ce = pl.col(C.CHARGE_PERIOD_START), pl.col(C.CHARGE_PERIOD_END)
    frame = pl.scan_parquet(files, glob=False).select(
        *money,
        (ce < cs).sum().alias("charge_order"),
        cs.min().alias("charge_from"),
        cs.max().alias("charge_last_start"),
        ce.max().alias("charge_until"),
    )
    return frame.collect().row(0, named=True)


def check_staged(sf: SourceFrame, period: str, stats: dict[str, Any]) -> None:
    """Refuse (InputError naming file, row and value) what ``staged_stats`` found."""
    from datetime import timedelta

    from forecaster.billing.periods import CHARGE_AFTER_DAYS, CHARGE_BEFORE_DAYS

    start, end = month_start(period), month_end(period)
    for rule in sf.row_rules:
        if rule.name == "charge_window":
            low, high = stats["charge_from"], stats["charge_last_start"]
            bad = low is not None and (
                low < start - timedelta(days=CHARGE_BEFORE_DAYS)
                or high >= end + timedelta(days=CHARGE_AFTER_DAYS)
            )
        else:
            bad = bool(stats.get(rule.name))
        if bad:
            refuse_rows(sf, rule)


#: Columns that identify a line item whatever its cost (a restated delivery keeps them).
IDENTITY_COLUMNS = (
    C.CHARGE_PERIOD_START,
    C.CHARGE_PERIOD_END,
    C.PROVIDER_NAME,
    C.BILLING_ACCOUNT_ID,
    C.SUB_ACCOUNT_ID,
    C.RESOURCE_ID,
    C.SKU_ID,
    C.CHARGE_CATEGORY,
    C.CHARGE_DESCRIPTION,
    C.CONSUMED_UNIT,
    C.X_USAGE_TYPE,
    C.X_LINE_ITEM_TYPE,
    C.BILLING_CURRENCY,
)
#: About this many line-item fingerprints are kept per file (a hash sample beyond).
FINGERPRINTS_KEPT = 50_000


def line_item_fingerprints(files: list[Path], rows: int) -> tuple[set[int], int]:
    """(hashes of the identity columns of the staged line items in ``files``, the sample
    rate): every row's up to FINGERPRINTS_KEPT rows, else those whose hash is a multiple of
    a power of two keeping about that many (two files compare on the coarser rate).

    Read from the staged canonical Parquet, so only periods that arrive in several files
    pay for it, and every format hashes the same canonical values."""
    every = 1
    while rows // every > FINGERPRINTS_KEPT:
        every *= 2
    fp = pl.struct(IDENTITY_COLUMNS).hash(seed=20)
    hashes = (
        pl.scan_parquet(files, glob=False)
        .select(fp.alias("h"))
        .filter(pl.col("h") % every == 0)
        .unique()
        .collect(engine="streaming")["h"]
    )
    return set(hashes.to_list()), every


def _first_row(sf: SourceFrame, bad: pl.Expr, shown: dict[str, pl.Expr]) -> str:
    """'<values> on data row N' for the first row where ``bad`` holds."""
    row = (
        sf.raw.with_row_index("_row")
        .filter(bad)
        .select("_row", *[e.cast(pl.String).alias(f"_v{i}") for i, e in enumerate(shown.values())])
        .head(1)
        .collect()
    )
    if row.is_empty():
        return ""
    values = ", ".join(f"{name} {quote(row[f'_v{i}'][0])}" for i, name in enumerate(shown))
    return f"{values} on data row {row['_row'][0] + 1}"


def _source_value(sf: SourceFrame, name: str) -> tuple[str, pl.Expr]:
    """(the column as the file names it, its raw cell or parsed value)."""
    column = sf.source_columns.get(name, name)
    if name in sf.parsed_from:
        return column, sf.parsed_from[name][0]
    return column, sf.columns[name]


def first_bad_value(sf: SourceFrame, name: str) -> str:
    raw, parsed = sf.parsed_from[name]
    found = _first_row(sf, bad_values(raw, parsed), {"": raw})
    return found.removeprefix(" ")


def refuse_rows(sf: SourceFrame, rule) -> None:
    """Raise the refusal of ``rule``: its exact row count, the first row and its values."""
    count = sf.raw.filter(rule.bad).select(pl.len()).collect().item()
    shown = dict(_source_value(sf, c) for c in (rule.column, *rule.shown))
    column = sf.source_columns.get(rule.column, rule.column)
    raise InputError(
        clip(
            f"{sf.path}: column {column}: {count} row(s) refused, first "
            f"{_first_row(sf, rule.bad, shown)}; expected {rule.expected}"
        )
    )


def validate_source(sf: SourceFrame, profile: pl.DataFrame) -> None:
    for name in sf.parsed_from:
        count = int(profile[f"bad_{name}"].sum())
        if count:
            kind = "a timestamp" if name in C.TIMESTAMP_COLUMNS else "a number"
            column = sf.source_columns.get(name, name)
            raise InputError(
                clip(
                    f"{sf.path}: column {column}: {count} value(s) are not {kind}, "
                    f"first {first_bad_value(sf, name)}"
                )
            )
    for rule in sf.row_rules:
        if not rule.name.startswith(STAGED_RULES) and int(profile[f"rule_{rule.name}"].sum()):
            refuse_rows(sf, rule)
    if profile.filter(pl.col("billing_period").is_null()).height:
        column = sf.source_columns.get(C.BILLING_PERIOD_START, C.BILLING_PERIOD_START)
        raise InputError(
            f"{sf.path}: column {column} is empty on some rows; every charge needs its billing period"
        )
    if profile.filter(pl.col("_currency").is_null()).height:
        column = sf.source_columns.get(C.BILLING_CURRENCY, C.BILLING_CURRENCY)
        raise InputError(
            f"{sf.path}: column {column} is empty on some rows; every charge needs its currency"
        )
    if int(profile["rows"].sum()) == 0:
        raise InputError(f"{sf.path}: the file has a header but no rows")


def stored_totals(files: list[Path]) -> pl.DataFrame:
    """Line items and money per currency in written files (a rollup row counts the line
    items it sums, ``x_LineItemCount``)."""
    money = [pl.col(c).sum().alias(c) for c in C.MONEY_COLUMNS]
    frame = pl.scan_parquet(files, glob=False)
    rows = (
        pl.col(C.X_LINE_ITEM_COUNT).sum()
        if C.X_LINE_ITEM_COUNT in frame.collect_schema()
        else pl.len()
    )
    return (
        frame.group_by(C.BILLING_CURRENCY).agg(rows.cast(pl.Int64).alias("rows"), *money).collect()
    )


def reconcile(
    key: PartitionKey, stored: pl.DataFrame, source: pl.DataFrame, checked: set[str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Per currency: {column: {source, stored}}; raises when any differs by a cent or more."""
    result: dict[str, dict[str, dict[str, float]]] = {}
    src = {row["_currency"]: row for row in source.iter_rows(named=True)}
    for row in stored.iter_rows(named=True):
        currency = row[C.BILLING_CURRENCY]
        expected = src.get(currency)
        if expected is None or expected["rows"] != row["rows"]:
            raise ReconciliationError(
                f"{key.id} {currency}: stored {row['rows']} rows but the source has "
                f"{0 if expected is None else expected['rows']}"
            )
        result[currency] = {}
        for column in sorted(checked):
            source_total = _exact(expected.get(f"src_{column}"))
            stored_total = _exact(row[column])
            if abs(source_total - stored_total) >= EXACT_CENT:
                raise ReconciliationError(
                    f"{key.id} {currency}: stored {column} {stored_total:,.2f} differs from the "
                    f"source's exact {source_total:,.2f}; nothing was stored"
                )
            result[currency][column] = {
                "source": float(source_total),
                "stored": float(stored_total),
            }
    return result


EXACT_CENT = Decimal("0.005")


def _exact(value: Any) -> Decimal:
    """A total as an exact Decimal (a float converts exactly, None is zero)."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(value)


def period_status(period: str, now: datetime) -> str:
    """'open' while the billing month has not ended (UTC), else 'closed'."""
    return "open" if now < month_end(period) else "closed"


def find_restatement(
    old: dict[str, Any] | None,
    totals: dict[str, dict[str, float]],
    status: str,
    charges_until: str | None = None,
):
    """What a replacement changes per currency, or None when BilledCost is unchanged.

    Flagged: a closed month shrinking by more than 1%; an open month shrinking by more than
    1%, or whose charges now end earlier than the stored ones (fewer days delivered).
    """
    if old is None:
        return None
    earlier = bool(
        charges_until and old.get("charges_until") and charges_until < old["charges_until"]
    )
    changes = {}
    for currency, new in totals.items():
        before = old["totals"].get(currency, {}).get("billed_cost", 0.0)
        after = new["billed_cost"]
        if abs(after - before) < CENT and not earlier:
            continue
        shrink = (before - after) / abs(before) if before else 0.0
        changes[currency] = {
            "before": before,
            "after": after,
            "change": after - before,
            "flagged": shrink > RESTATEMENT_THRESHOLD or (earlier and old["status"] == "open"),
        }
    for currency, before_totals in old["totals"].items():
        if currency not in totals:
            changes[currency] = {
                "before": before_totals["billed_cost"],
                "after": 0.0,
                "change": -before_totals["billed_cost"],
                "flagged": True,
            }
    if not changes:
        return None
    return {
        "changes": changes,
        "flagged": any(c["flagged"] for c in changes.values()),
        "previous_status": old["status"],
        "status": status,
        "charges_until": charges_until,
        "previous_charges_until": old.get("charges_until"),
    }


def sum_profiles(profiles: list[pl.DataFrame]) -> pl.DataFrame:
    frame = pl.concat(profiles, how="diagonal_relaxed")
    value_cols = [c for c in frame.columns if c.startswith("src_") or c == "rows"]
    return frame.group_by("_currency").agg(pl.col(value_cols).sum())
