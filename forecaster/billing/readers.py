"""Format detection and the one entry point that opens any billing file."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.billing import aws_mapping, focus
from forecaster.billing.files import OpenedFile
from forecaster.billing.formats import FORMAT_NAMES, billing_format, detect_format
from forecaster.billing.source import SourceFrame
from forecaster.errors import InputError, clip, quote

#: Formats ``--format`` accepts ("auto" detects from the columns).
FORMATS = ("auto", *FORMAT_NAMES)


_DUPLICATED = re.compile(r"^(?P<base>.+)_duplicated_\d+$")  # polars' name for a repeated header


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _known_columns() -> dict[str, str]:
    """Every FOCUS and CUR column a reader uses, by its folded name (case, "_" and "/"
    ignored: ``listcost`` is ListCost, ``lineItem/UnblendedCost`` line_item_unblended_cost)."""
    focus_names = [c for c in C.CHARGES_SCHEMA if not c.startswith("x_")]
    focus_names += [a for alts in focus.ALTERNATIVE_NAMES.values() for a in alts]
    focus_names += list(focus.OTHER_DATASET_MARKERS)
    known = {_fold(c): c for c in aws_mapping.known_columns()}
    known.update({_fold(c): c for c in focus_names})
    return known


KNOWN_COLUMNS = _known_columns()


def canonical_columns(path: Path, schema: dict[str, pl.DataType]) -> dict[str, str]:
    """Renames that give known columns their canonical spelling; refuses duplicates.

    Two columns that are one known column in another case or spelling (``BilledCost`` and
    ``billedcost``, or a header naming ``BilledCost`` twice) are refused: which one holds the
    bill cannot be told.
    """
    by_target: dict[str, list[str]] = {}
    for name in schema:
        m = _DUPLICATED.match(name)
        base = m["base"] if m and m["base"] in schema else name
        target = KNOWN_COLUMNS.get(_fold(base))
        if target is not None:
            by_target.setdefault(target, []).append(name)
    for target, names in sorted(by_target.items()):
        if len(names) > 1:
            shown = ", ".join(quote(_DUPLICATED.sub(r"\g<base>", n)) for n in names)
            raise InputError(
                clip(
                    f"{path}: columns {shown} are all column {target} (names match whatever "
                    "their case); keep one of them"
                )
            )
    return {names[0]: t for t, names in by_target.items() if names[0] != t}


def read_billing_file(opened: OpenedFile, fmt: str = "auto") -> SourceFrame | None:
    """The file as a SourceFrame; None for a FOCUS dataset that holds no charges.

    Raises InputError naming the file when its columns fit no format (or not the forced one).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    schema = opened.schema()
    if not schema:
        raise InputError(f"{opened.path}: the file has no columns")
    renames = canonical_columns(Path(opened.path), schema)
    raw = opened.scan()
    if renames:
        raw = raw.rename(renames)
        schema = {renames.get(c, c): t for c, t in schema.items()}
    if focus.is_other_focus_dataset(schema) and fmt in ("auto", "focus"):
        return None
    detected = detect_format(schema)
    chosen = detected if fmt == "auto" else fmt
    if chosen is None:
        shown = ", ".join(quote(c, 40) for c in list(schema)[:8])
        raise InputError(
            clip(
                f"{opened.path}: cannot tell the billing format from its columns ({shown}, "
                "...); expected FOCUS (BilledCost, ChargePeriodStart, ...) or AWS CUR "
                "(lineItem/UnblendedCost or line_item_unblended_cost); use `fmt` to force one"
            ),
            parameters=("fmt",),
        )
    sf = billing_format(chosen).parse(Path(opened.path), raw, schema)
    sf.raw_names = dict(sf.source_columns)
    if renames:
        original = {v: k for k, v in renames.items()}
        sf.source_columns = {k: original.get(v, v) for k, v in sf.source_columns.items()}
    return sf
