"""Every --json output has a JSON Schema in docs/schemas/ and keeps to it; money keys are
currency-neutral (an amount inside a block that names its currency, never "usd")."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from tests.review_helpers import SAMPLE_MONTH, sample_dirs

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def _schema(name: str) -> dict:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _argv(name: str, tmp: Path) -> list[str]:
    sample, store = sample_dirs()
    w = ["--store", str(store), "--workloads", str(sample / "workloads.toml")]
    return {
        "bridge": ["bridge", "--month", SAMPLE_MONTH, *w],
        "tco": ["tco", "--samples", "50", "--horizon", "12", *w],
        "curves": ["curves", *w],
        "scaling": [
            "scaling",
            str(sample / "loadtest" / "search-loadtest.csv"),
            "--workload",
            "search",
            *w,
        ],  # fmt: skip
        "workloads": ["workloads", *w],
        "review": [
            "review",
            "--month",
            SAMPLE_MONTH,
            "--formats",
            "csv",
            "--out",
            str(tmp),
            "--loadtests",
            str(sample / "loadtest"),
            "--scenarios",
            str(sample / "scenarios.toml"),
            *w,
        ],  # fmt: skip
    }[name]


def _keys(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}", k
            yield from _keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v, path)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    import io
    from contextlib import redirect_stdout

    from forecaster.cli import main

    docs = {}
    for name in ("bridge", "tco", "curves", "scaling", "workloads", "review"):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert main([*_argv(name, tmp_path_factory.mktemp(name)), "--json"]) == 0
        docs[name] = json.loads(buffer.getvalue())
    return docs


@pytest.mark.parametrize("name", ["bridge", "tco", "curves", "scaling", "workloads", "review"])
def test_the_output_keeps_to_its_schema(outputs, name):
    jsonschema.validate(outputs[name], _schema(name))


@pytest.mark.parametrize("name", ["bridge", "tco", "curves", "scaling", "workloads", "review"])
def test_money_keys_are_currency_neutral(outputs, name):
    bad = sorted({path for path, key in _keys(outputs[name]) if "usd" in key.lower()})
    assert bad == []


def test_every_json_command_has_a_schema():
    import re

    cli = Path(__file__).resolve().parents[1] / "forecaster" / "cli"
    # a command adds --json with forecaster.cli.options.json_output (or by hand)
    adds_json = ("options.json_output(", '"--json"')
    with_json = {
        p.stem
        for p in cli.glob("*.py")
        if p.stem != "options" and any(a in p.read_text() for a in adds_json)
    }
    assert {"bridge", "review", "tco", "ingest"} <= with_json  # the scan finds them
    covered = {p.stem for p in SCHEMAS.glob("*.json")}
    # commands whose JSON reports ingest results or store state (owned elsewhere) are listed
    # here until their schema lands; every headline figure's command is covered
    pending = {"ingest", "ingest_aws", "ingest_engines", "ingest_traffic", "sample", "store",
               "forecast", "cost"}  # fmt: skip
    assert with_json - pending <= covered, sorted(with_json - pending - covered)
    assert all(re.fullmatch(r"[a-z_]+", n) for n in covered)


def test_a_renamed_money_key_breaks_the_schema(outputs):
    doc = copy.deepcopy(outputs["bridge"])
    step = doc["currencies"][0]["steps"][0]
    step["usd"] = step.pop("amount")
    with pytest.raises(jsonschema.ValidationError, match="'amount' is a required property"):
        jsonschema.validate(doc, _schema("bridge"))
