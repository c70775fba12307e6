"""Cloud cost and scaling forecaster: fits cloud cost against load, not only time.

The front door: ``import forecaster as fc`` gives the entry points a user calls. Each is
imported on first use (so ``import forecaster`` stays light and the CLI starts fast); the
modules named beside each one hold its full documentation.

Store and ingest
    ``fc.write_sample(out, store)``: the bundled deterministic sample (``forecaster.sample``)::

        fc.write_sample("demo/sample", store="demo/store")

    ``fc.ingest_billing(paths, store_dir)``: FOCUS 1.0-1.3, CUR 2.0 or legacy CUR files,
    reconciled to the cent per billing period and currency (``forecaster.ingest``)::

        report = fc.ingest_billing(["exports/focus/"], "data/store")
        [(p.billing_period, p.currency, p.billed_cost) for p in report.periods]

    ``fc.BillingStore(store_dir)``: the stored charges as a LazyFrame (``.charges()``)
    and the partitions' manifests (``forecaster.store``).

    ``fc.ingest_traffic(paths, store_dir)`` and ``fc.read_load(store_dir)``: the load store
    (``forecaster.load``).

Workloads and cost curves
    ``fc.load_workloads(path)`` reads a workloads TOML; ``fc.workload_series(store_dir,
    workloads)`` joins each workload's cost and load per day; ``fc.fit_series(series,
    workloads)`` fits a ``CostCurve`` per workload (``forecaster.portfolio``)::

        workloads = fc.load_workloads("demo/sample/workloads.toml")
        fits = fc.fit_series(fc.workload_series("demo/store", workloads), workloads)
        fits["search"].summary["exponent"]        # k > 1: cost grows faster than load

    ``fc.CostCurve(...).fit(load, cost)``: one curve, ``cost = F + v * load ** k``
    (``forecaster.curves``).

Forecasts
    ``fc.LoadForecaster(freq, horizon).fit(y)``, or on a ``timestamp, value`` frame
    ``fc.forecast_series(frame, horizon)`` and ``fc.backtest_series(frame, horizon)``;
    ``fc.read_series(path)`` reads such a file (``forecaster.forecast``)::

        frame, model = fc.forecast_series(fc.read_series("traffic.csv"), horizon=24)

Scaling ceilings
    ``fc.read_load_tests(paths)`` reads CSV, k6 or Locust results; ``fc.USLModel().fit(load,
    throughput)`` fits the Universal Scalability Law (``forecaster.scaling``)::

        points = fc.read_load_tests("demo/sample/loadtest/")
        fc.USLModel().fit(points["load"], points["throughput"]).peak_throughput_

TCO and the review pack
    ``fc.run_tco(store_dir, workloads_path, scenarios_path)``: monthly P10/P50/P90, NPV and
    break-even per scenario (``forecaster.tco``), a typed ``TCOResult`` (``.as_dict()``:
    the JSON of ``forecaster tco --json``); ``fc.load_scenarios(path)`` reads the file.

    ``fc.build_review(store_dir, month, ...)`` then ``fc.write_review(pack, out_dir,
    formats)``: the monthly cost review (``forecaster.review``)::

        pack = fc.build_review("demo/store", "2026-10")
        fc.write_review(pack, "demo/review", ["xlsx", "csv"])

Errors: every refusal is a ``fc.ForecasterError``; bad input is its subclass
``fc.InputError``, whose message names the file, column, parameter or value.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_ENTRY_POINTS: dict[str, str] = {
    "write_sample": "forecaster.sample",
    "ingest_billing": "forecaster.ingest",
    "BillingStore": "forecaster.store",
    "ingest_traffic": "forecaster.load",
    "read_load": "forecaster.load",
    "load_workloads": "forecaster.workloads",
    "workload_series": "forecaster.workloads",
    "fit_series": "forecaster.portfolio",
    "CostCurve": "forecaster.curves",
    "LoadForecaster": "forecaster.forecast",
    "read_series": "forecaster.forecast",
    "forecast_series": "forecaster.forecast",
    "backtest_series": "forecaster.forecast",
    "read_load_tests": "forecaster.scaling.loadtest",
    "USLModel": "forecaster.scaling",
    "run_tco": "forecaster.tco.run",
    "load_scenarios": "forecaster.tco.scenarios",
    "build_review": "forecaster.review",
    "write_review": "forecaster.review",
    "ForecasterError": "forecaster.errors",
    "InputError": "forecaster.errors",
}

__all__ = [
    "BillingStore",
    "CostCurve",
    "ForecasterError",
    "InputError",
    "LoadForecaster",
    "USLModel",
    "backtest_series",
    "build_review",
    "fit_series",
    "forecast_series",
    "ingest_billing",
    "ingest_traffic",
    "load_scenarios",
    "load_workloads",
    "read_load",
    "read_load_tests",
    "read_series",
    "run_tco",
    "workload_series",
    "write_review",
    "write_sample",
]


def __getattr__(name: str) -> Any:
    """Import an entry point on first use (PEP 562) and keep it on the package."""
    module = _ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module 'forecaster' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ does this
    from forecaster.curves import CostCurve
    from forecaster.errors import ForecasterError, InputError
    from forecaster.forecast import LoadForecaster, backtest_series, forecast_series, read_series
    from forecaster.ingest import ingest_billing
    from forecaster.load import ingest_traffic, read_load
    from forecaster.portfolio import fit_series
    from forecaster.review import build_review, write_review
    from forecaster.sample import write_sample
    from forecaster.scaling import USLModel
    from forecaster.scaling.loadtest import read_load_tests
    from forecaster.store import BillingStore
    from forecaster.tco.run import run_tco
    from forecaster.tco.scenarios import load_scenarios
    from forecaster.workloads import load_workloads, workload_series
