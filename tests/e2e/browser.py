"""Small helpers for driving the dashboard in Chromium."""

from __future__ import annotations

import time
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SETTLED_JS = """
const busy = document.querySelectorAll('[data-dash-is-loading="true"]').length;
const content = document.getElementById('_pages_content');
return busy === 0 && content !== null && content.children.length > 0;
"""


def settle(driver, timeout: float = 30.0, quiet: float = 0.4) -> None:
    """Wait until Dash has no callback in flight and the page content stays rendered."""
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        if driver.execute_script(SETTLED_JS):
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return
        else:
            calm_since = None
        time.sleep(0.1)
    raise TimeoutError(f"{driver.current_url}: the page did not settle within {timeout} s")


def wait_for(driver, css: str, timeout: float = 30.0):
    return WebDriverWait(driver, timeout).until(lambda d: d.find_element(By.CSS_SELECTOR, css))


def console_errors(driver) -> list[str]:
    """Browser console entries at level SEVERE since the last call (the log drains)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_page(driver, url: str, ready: str, timeout: float = 120.0) -> None:
    """Open ``url`` and wait until the element ``ready`` (CSS) shows and Dash settles; the
    console entries earlier tests left are drained first."""
    console_errors(driver)
    driver.get(url)
    wait_for(driver, ready, timeout=timeout)
    settle(driver, timeout=timeout)


def screenshot(driver, path: Path, width: int = 1440) -> Path:
    """A screenshot of the whole page at laptop width."""
    height = driver.execute_script(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
    )
    driver.set_window_size(width, min(max(int(height) + 40, 900), 6000))
    time.sleep(0.3)
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 900)
    return path


def select_dropdown(driver, component_id: str, option_text: str) -> None:
    """Pick an option of a dcc.Dropdown by its visible text."""
    box = driver.find_element(By.ID, component_id)
    box.click()
    options = WebDriverWait(driver, 10).until(
        lambda d: [
            o
            for o in d.find_elements(
                By.CSS_SELECTOR,
                f"#{component_id} [role='option'], .dash-dropdown-option, .Select-option",
            )
            if o.text.strip() == option_text
        ]  # fmt: skip
    )
    options[0].click()
