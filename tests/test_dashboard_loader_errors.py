"""The loader's one error contract (issue #18): a result, or ``LoaderError`` with a one-line
message naming what is wrong; never None, {}, {"error": ...} or a message in place of a
result. A problem a page does not handle reaches the reader as that one line, not a
traceback."""

from __future__ import annotations

import inspect
import json

import pytest

from dashboard import loader
from dashboard.loader import tco_runs
from forecaster.ingest import ingest_billing
from forecaster.views.forecast import WhatIf
from tests import dashboard_support as support
from tests.dashboard_support import configure, write_evil_billing

#: Loader functions whose None or message is an answer, not a failure (documented so).
ANSWERS_WITH_NONE = {
    "file_scenarios": "None: no scenario file named",
    "workloads_problem": "the message is the answer (why workload views are empty)",
    "problem": "the message is the answer",
    "workloads_path": "None: no workloads file named",
    "configure": "returns nothing",
    "clear": "returns nothing",
    "warm": "returns nothing",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


@pytest.fixture
def restore(sample):
    yield
    configure(sample)


@pytest.fixture
def small_store(tmp_path, restore):
    store = tmp_path / "store"
    ingest_billing([write_evil_billing(tmp_path / "one.csv")], store, source="one")
    return store


@pytest.fixture
def broken_store(tmp_path, restore):
    store = tmp_path / "broken"
    (store / "billing").mkdir(parents=True)
    (store / "billing" / "catalog.json").write_text("{not json")
    return store


def _refusal(call) -> str:
    with pytest.raises(loader.LoaderError) as caught:
        call()
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def test_an_unknown_workload_is_named_with_the_known_ones(sample, restore):
    configure(sample)
    message = _refusal(lambda: loader.fit("no-such-workload"))
    assert "'no-such-workload'" in message and "search" in message
    assert "no-such-workload" in _refusal(lambda: loader.fit("no-such-workload", "2025-01", None))
    assert "no-such-workload" in _refusal(
        lambda: loader.ceiling("search-loadtest.csv", "no-such-workload", 0.8)
    )


def test_an_unknown_load_test_is_named_with_the_known_ones(sample, restore):
    configure(sample)
    message = _refusal(lambda: loader.usl("nope.csv"))
    assert "'nope.csv'" in message and "search-loadtest.csv" in message


def test_a_load_test_path_that_does_not_exist_is_a_refusal_not_an_empty_dict(sample, tmp_path):
    loader.configure(sample["store"], sample["workloads"], tmp_path / "missing-dir")
    try:
        assert str(tmp_path / "missing-dir") in _refusal(loader.loadtest_files)
    finally:
        configure(sample)


def test_a_broken_workloads_file_refuses_every_workload_view(sample, tmp_path, restore):
    bad = tmp_path / "workloads.toml"
    bad.write_text('[[workload]]\nname = "x"\n[workload.cost]\nshare = 7\n')
    loader.configure(sample["store"], bad)
    for call in (loader.workloads, loader.series, loader.fits, loader.unclaimed, loader.waste,
                 lambda: loader.fit("x"), lambda: loader.tco(WhatIf())):  # fmt: skip
        assert "[workload.load] is required" in _refusal(call)
    assert "[workload.load] is required" in loader.workloads_problem()


def test_an_unreadable_store_refuses_with_the_files_name(broken_store):
    loader.configure(broken_store)
    for call in (loader.catalog, loader.currencies, loader.tag_keys, lambda: loader.spend(None)):
        assert "catalog.json" in _refusal(call)


def test_what_the_engine_refuses_is_a_refusal_not_a_message_in_place_of_a_result(
    small_store, sample
):
    loader.configure(small_store, sample["workloads"])
    assert "no workload has both cost and load" in _refusal(lambda: loader.tco(WhatIf()))


def test_a_refusal_is_kept_like_a_result_until_the_data_changes(small_store, sample, tmp_path):
    loader.configure(small_store, sample["workloads"])
    first = _refusal(lambda: loader.tco(WhatIf()))
    assert loader.is_cached(tco_runs._tco, WhatIf().canonical())
    assert _refusal(lambda: loader.tco(WhatIf())) == first


def test_no_loader_function_signals_failure_by_its_return_type():
    """A return type with ``None`` or ``str`` beside the result would be a second way to
    fail; only the documented answers may have one."""
    offenders = []
    for name in loader.__all__:
        fn = getattr(loader, name)
        if not inspect.isfunction(fn) or name in ANSWERS_WITH_NONE:
            continue
        returns = str(inspect.signature(fn).return_annotation)
        if "None" in returns:
            offenders.append(f"{name} -> {returns}")
        if "| str" in returns or "str |" in returns:
            offenders.append(f"{name} -> {returns}")
    assert offenders == []


# ---------------------------------------------------------------- what the reader sees
DOWNLOAD_STATE = [{"id": "review-month", "property": "value", "value": "2026-10"},
                  {"id": "review-format", "property": "value", "value": "csv"}]  # fmt: skip


def _call(app, output: str, outputs: list[dict], inputs: list[dict], state=()) -> dict:
    single = not output.startswith("..")  # one output: sent as itself, not a list
    payload = {"output": output, "outputs": outputs[0] if single else outputs, "inputs": inputs, "state": list(state),
               "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs]}  # fmt: skip
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)


def _page(app, path: str) -> str:
    body = _call(
        app,
        ".._pages_content.children..._pages_store.data..",
        [{"id": "_pages_content", "property": "children"},
         {"id": "_pages_store", "property": "data"}],
        [{"id": "_pages_location", "property": "pathname", "value": path},
         {"id": "_pages_location", "property": "search", "value": ""}],
    )  # fmt: skip
    return json.dumps(body["response"]["_pages_content"]["children"])


@pytest.mark.parametrize("path", ["/", "/review", "/data", "/forecast", "/workloads"])
def test_a_page_over_an_unreadable_store_shows_one_line_not_a_traceback(sample, broken_store, path):
    app = support.app_for(sample)
    loader.configure(broken_store, sample["workloads"])
    shown = _page(app, path)
    assert "catalog.json: the store file is not valid JSON" in shown
    assert "Traceback" not in shown and "site-packages" not in shown


def test_a_page_shows_normally_again_once_the_store_is_readable(sample, restore):
    app = support.app_for(sample)
    configure(sample)
    shown = _page(app, "/review")
    assert "problem" not in shown or "not valid JSON" not in shown
    assert "review-waterfall" in shown


def _click_download(app) -> dict:
    """The Review page's download button clicked once: the callback's response body."""
    output = [{"id": "review-download", "property": "data"}]
    click = [{"id": "review-download-button", "property": "n_clicks", "value": 1}]
    return _call(app, "review-download.data", output, click, DOWNLOAD_STATE)


def test_an_unhandled_refusal_in_a_callback_is_shown_above_the_page(sample, broken_store):
    app = support.app_for(sample)
    loader.configure(broken_store, sample["workloads"])
    body = _click_download(app)
    assert "not valid JSON" in json.dumps(body["sideUpdate"]["app-problem"])
    assert body["response"] == {}  # nothing sent where the download was


def test_an_unexpected_error_is_logged_and_shown_as_a_sentence(sample, monkeypatch, caplog):
    from dashboard import app as app_module

    app = support.app_for(sample)
    configure(sample)

    def boom(month):
        raise ZeroDivisionError("internal detail")

    monkeypatch.setattr(loader, "review_pack", boom)
    body = _click_download(app)
    shown = json.dumps(body["sideUpdate"]["app-problem"])
    assert "could not be computed (ZeroDivisionError)" in shown and "internal detail" not in shown
    assert any(r.name == app_module.__name__ and r.exc_info for r in caplog.records)


def test_a_refusal_says_the_engines_parameters_in_words_not_as_code():
    from dashboard.loader.errors import refusals
    from forecaster.errors import InputError

    @refusals
    def refuse():
        raise InputError("store it under a name of its own (`store_as` NAME)", parameters=("store_as",))  # fmt: skip

    with pytest.raises(loader.LoaderError, match=r"\(store as NAME\)$"):
        refuse()
