"""Long work reports its steps; the CLI shows them on a terminal only (never with --json
or when piped), and -v logs the product's steps without third-party debug output."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

import pytest

from forecaster import progress
from forecaster.cli import progress as display


class Recorder:
    def __init__(self):
        self.events: list[tuple] = []

    def start(self, description, total):
        self.events.append(("start", description, total))
        return description

    def advance(self, handle, amount):
        self.events.append(("advance", handle, amount))

    def finish(self, handle):
        self.events.append(("finish", handle))


@pytest.fixture
def recorder():
    rec = Recorder()
    previous = progress.set_reporter(rec)
    yield rec
    progress.set_reporter(previous)


def test_steps_reach_the_reporter_and_end_even_on_error(recorder):
    assert list(progress.iterate("Reading", ["a", "b"])) == ["a", "b"]
    with pytest.raises(RuntimeError), progress.step("Failing", total=3) as s:
        s.advance()
        raise RuntimeError("boom")
    assert recorder.events == [
        ("start", "Reading", 2),
        ("advance", "Reading", 1),
        ("advance", "Reading", 1),
        ("finish", "Reading"),
        ("start", "Failing", 3),
        ("advance", "Failing", 1),
        ("finish", "Failing"),
    ]


def test_without_a_reporter_steps_are_silent(capsys):
    progress.set_reporter(None)
    with progress.step("Quiet", total=1) as s:
        s.advance()
    assert capsys.readouterr() == ("", "")


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_display_only_on_a_terminal_and_never_with_json():
    assert display.wants_display(SimpleNamespace(json=False), Tty())
    assert not display.wants_display(SimpleNamespace(json=True), Tty())
    assert not display.wants_display(SimpleNamespace(json=False), io.StringIO())  # piped


def test_the_terminal_display_draws_and_clears_its_bars():
    out = Tty()
    reporter = display.RichReporter(out)
    previous = progress.set_reporter(reporter)
    try:
        for _ in progress.iterate("Fitting cost curves", [1, 2, 3]):
            pass
    finally:
        progress.set_reporter(previous)
    assert "Fitting cost curves" in out.getvalue()
    assert reporter.open == 0


def test_verbose_logs_the_products_steps_not_library_debug():
    display.configure_logging(verbose=True)
    try:
        assert logging.getLogger("forecaster.progress").isEnabledFor(logging.INFO)
        for name in ("matplotlib", "fontTools", "PIL", "botocore"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        display.configure_logging(verbose=False)
        assert not logging.getLogger("forecaster.progress").isEnabledFor(logging.INFO)
    finally:
        display.configure_logging(verbose=False)


def test_cli_verbose_run_prints_steps_and_no_font_debug(tmp_path, capfd):
    from forecaster.cli import main

    assert (
        main(["-v", "sample", "--out", str(tmp_path / "s"), "--store", str(tmp_path / "st")]) == 0
    )
    err = capfd.readouterr().err
    assert "fontTools" not in err and "matplotlib" not in err
    assert len(err.splitlines()) < 60
