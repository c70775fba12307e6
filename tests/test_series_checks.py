"""Every command that reads a series gives one file one verdict (issue #20 case 12, #18).

``forecast-load``, ``backtest``, ``curves --cost/--load`` and ``ingest traffic`` read a
``timestamp,value`` file; a load-test CSV feeds ``scaling``. A bad file is refused by all
of them with exit status 2 and the same message naming file, column, data row and value;
what one of them accepts (epoch seconds, rows out of order, extra columns) all accept.
``forecaster tco --samples 0`` and ``-1`` are one-line errors naming the flag.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from forecaster.cli import main

START = datetime(2024, 3, 1, tzinfo=UTC)


def hourly(n: int = 72) -> list[tuple[str, str]]:
    """(timestamp, value) rows, one an hour, a daily cycle."""
    return [
        ((START + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ"), f"{100 + 10 * (i % 24)}")
        for i in range(n)
    ]


def write(path: Path, rows: list[tuple[str, str]], header: str = "timestamp,value") -> Path:
    path.write_text(header + "\n" + "".join(f"{t},{v}\n" for t, v in rows))
    return path


def commands(path: Path, store: Path) -> dict[str, list[str]]:
    """Each command that reads ``path`` as a load series."""
    return {
        "forecast-load": ["forecast-load", str(path), "--horizon", "3"],
        "backtest": ["backtest", str(path), "--horizon", "3", "--windows", "1"],
        "curves": ["curves", "--cost", str(path), "--load", str(path), "--json"],
        "ingest traffic": ["ingest", "traffic", str(path), "--metric", "m", "--store", str(store)],
    }


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _with(rows, i, value):
    rows = list(rows)
    rows[i] = (rows[i][0], value)
    return rows


BAD = {
    "negative load": (
        lambda: _with(hourly(), 5, "-2"),
        "column value: 1 negative value(s), first -2 on data row 6; load must be a count or "
        "rate of at least 0",
    ),
    "infinite value": (
        lambda: _with(hourly(), 9, "inf"),
        "column value: 1 value(s) are not finite numbers, first inf on data row 10",
    ),
    "minus infinity": (
        lambda: _with(hourly(), 9, "-Infinity"),
        "column value: 1 value(s) are not finite numbers, first -inf on data row 10",
    ),
    "repeated timestamp": (
        lambda: hourly()[:4] + [(hourly()[3][0], "7")] + hourly()[4:],
        "column timestamp: timestamp 2024-03-01T03:00:00Z is given more than once (data rows "
        "4 and 5, values 130 and 7",
    ),
    "text value": (
        lambda: _with(hourly(), 2, "lots"),
        "column value: 1 value(s) are not a number, first 'lots' on data row 3",
    ),
    "bad timestamp": (
        lambda: [("yesterday", "1"), *hourly()[1:]],
        "column timestamp: 1 value(s) are not a timestamp (ISO 8601, a date or epoch "
        "seconds), first 'yesterday' on data row 1",
    ),
}


@pytest.mark.parametrize("command", ["forecast-load", "backtest", "curves", "ingest traffic"])
@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_series_is_refused_alike_by_every_command(tmp_path, capsys, case, command):
    rows, message = BAD[case]
    path = write(tmp_path / "load.csv", rows())
    code, out, err = run(capsys, commands(path, tmp_path / "store")[command])
    assert code == 2
    assert err == f"error: {path}: {message}\n" or (
        err.startswith(f"error: {path}: {message}") and err.count("\n") == 1
    ), err
    assert not list((tmp_path / "store").rglob("*.parquet"))  # nothing stored


def test_too_few_points_name_the_command_that_needs_more(tmp_path, capsys):
    path = write(tmp_path / "short.csv", hourly(5))
    code, _, err = run(capsys, ["curves", "--cost", str(path), "--load", str(path)])
    assert code == 2
    assert f"{path}: 5 row(s) with a value; a cost curve needs at least 8" in err
    two = write(tmp_path / "two.csv", hourly(3)[:2] + [(hourly(3)[2][0], "")])
    code, _, err = run(capsys, ["forecast-load", str(two), "--horizon", "2"])
    assert code == 2
    assert f"{two}: 2 row(s) with a value (1 blank); a load forecast needs at least 3" in err


def test_what_one_command_reads_every_command_reads(tmp_path, capsys):
    """Epoch seconds, rows out of order and an extra column: the same forecast as the
    plain file, and curves and ingest traffic accept it too."""
    plain = write(tmp_path / "plain.csv", hourly())
    epoch = [
        (str(int(datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())), v)
        for t, v in hourly()
    ]
    shuffled = epoch[30:] + epoch[:30]
    other = tmp_path / "other.csv"
    other.write_text(
        "region,ds,y\n" + "".join(f"eu,{t},{v}\n" for t, v in shuffled)
    )  # Prophet's names, epoch seconds, out of order, an extra column
    code, expected, _ = run(capsys, ["forecast-load", str(plain), "--horizon", "3"])
    assert code == 0
    code, got, err = run(capsys, ["forecast-load", str(other), "--horizon", "3"])
    assert (code, got) == (0, expected), err
    code, _, err = run(capsys, ["curves", "--cost", str(other), "--load", str(other), "--json"])
    assert code == 0, err
    # ingest traffic reads extra columns as more metrics (a wide file), so without one:
    bare = write(tmp_path / "bare.csv", shuffled, "ds,y")
    store = tmp_path / "store"
    code, _, err = run(
        capsys, ["ingest", "traffic", str(bare), "--metric", "m", "--store", str(store)]
    )
    assert code == 0, err


def test_scaling_refuses_a_negative_or_infinite_measurement_naming_file_row_and_value(
    tmp_path, capsys
):
    path = tmp_path / "run.csv"
    path.write_text("users,rps\n1,100\n2,190\n4,-350\n8,600\n16,700\n")
    code, _, err = run(capsys, ["scaling", str(path)])
    assert code == 2
    assert f"{path}: column rps: 1 negative value(s), first -350 on data row 3" in err
    path.write_text("users,rps\n1,100\n2,190\ninf,350\n8,600\n16,700\n")
    code, _, err = run(capsys, ["scaling", str(path)])
    assert code == 2
    assert (
        f"{path}: column users: 1 value(s) are not finite numbers, first inf on data row 3" in err
    )


@pytest.mark.parametrize("samples", ["0", "-1", "20001"])
def test_tco_samples_out_of_range_is_a_one_line_error_naming_the_flag(tmp_path, capsys, samples):
    code, out, err = run(capsys, ["tco", "--samples", samples, "--store", str(tmp_path / "s")])
    assert code == 2 and out == ""
    assert err == f"error: --samples {samples}: expected 50 to 20,000 Monte Carlo paths\n"


def test_tco_engine_names_its_parameter_to_python_callers(tmp_path):
    from forecaster.errors import InputError
    from forecaster.tco.run import run_tco

    with pytest.raises(InputError, match=r"^samples 0: expected 50 to 20,000") as err:
        run_tco(tmp_path, samples=0)
    assert err.value.parameters == ("samples",)
