"""Browser tests: the real dashboard server on 127.0.0.1 and a free port, driven in headless
Chromium (Debian's chromium and chromium-driver; ``make test`` installs them) by Selenium.

Selenium Manager never runs (no downloads: the driver path is given and SE_OFFLINE is set).
Screenshots of every page go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from tests import dashboard_support as support


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--enable-unsafe-swiftshader",  # software WebGL for plotly's Scattergl traces
    "--window-size=1440,900",
)


@pytest.fixture(scope="session")
def server(sample) -> str:
    """The dashboard's Flask server in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    app = support.app_for(sample)
    support.configure(sample)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(tmp_path_factory, downloads):
    """One headless Chromium for the session, with browser console logs kept."""
    if CHROMIUM is None or not Path(CHROMEDRIVER).exists():
        pytest.fail(
            "headless browser tests need Debian's chromium and chromium-driver: run `make test` "
            "(installs them) or `apt-get install -y chromium chromium-driver`"
        )
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
