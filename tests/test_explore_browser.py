"""The explorer in a real browser: Debian's chromium, driven by Playwright, with no network.

The server runs as ``escalation explore --port 0 --no-browser`` in a child process. The page
must load with every request answered by that server (the front-end assets come from
solara-assets), run its first study, take a changed parameter and a new number of worlds,
run again and show new numbers, new figures and a world's trace. Skipped where chromium or
Playwright is missing; CI installs both (``.ci/run``, ``make setup-test``) and runs it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from runner_helpers import subprocess_env

from escalation import Scenario, run_study, run_trace

CHROMIUM = Path("/usr/bin/chromium")
START_SECONDS = 60  # for the server to print its address
STUDY_MS = 60_000  # for a study's figures to appear


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no {CHROMIUM} (apt-get install chromium)"
    if importlib.util.find_spec("solara") is None:
        return "the explore extra is not installed (pip install -e '.[explore]')"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None and os.environ.get("CI") != "true", reason=str(MISSING))


@pytest.fixture
def explorer(tmp_path: Path, seeded_short: Scenario) -> Iterator[tuple[str, Path]]:
    """The address of a running ``escalation explore``, and the file that collects its standard error.

    A study and a trace run here first, so the server finds the model's kernel compiled.
    """
    run_study(seeded_short, runs=20)
    run_trace(seeded_short, seed=0)
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "escalation.cli", "explore", "--port", "0", "--no-browser"],
            stdout=stdout,
            stderr=stderr,
            env=subprocess_env(),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (found := re.search(r"http://\S+", out.read_text())):
            assert child.poll() is None, f"the server stopped: {err.read_text()}"
            assert time.monotonic() < deadline, "the server printed no address"
            time.sleep(0.2)
        yield found.group(0), err
    finally:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    assert child.returncode == 0, f"Ctrl-C did not stop the server cleanly: {err.read_text()}"
    assert err.read_text().endswith("escalation explorer stopped\n")


def test_change_a_parameter_run_and_see_the_figures_update(explorer: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    url, server_errors = explorer
    outside: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", local_only)
            page.goto(url)
            summary, table, figure = (
                page.locator(".run-summary"),
                page.locator(".outcome-table"),
                page.locator("img.outcome-figure"),
            )
            expect(summary).to_contain_text("10,000 worlds", timeout=STUDY_MS)
            # the page has settled (its world's trace is shown) before a parameter moves: a field
            # typed into while a panel still renders can be drawn anew with its old value
            expect(page.locator(".world-trace")).to_contain_text("Outcome: ", timeout=STUDY_MS)
            before = (figure.get_attribute("src"), table.inner_text())

            rationality = page.get_by_label("iran.rationality", exact=True)
            rationality.fill("0.5")
            rationality.press("Enter")
            expect(page.get_by_text("iran.rationality (moved)")).to_be_visible()
            worlds = page.get_by_label("Worlds", exact=True)
            worlds.fill("2000")
            worlds.press("Enter")
            page.get_by_role("button", name="Run").click()

            expect(summary).to_contain_text("2,000 worlds", timeout=STUDY_MS)
            expect(page.get_by_text("Moved: iran.rationality = 0.5")).to_be_visible()
            after = (figure.get_attribute("src"), table.inner_text())
            assert after[0] != before[0], "the outcome figure was not redrawn"
            assert after[1] != before[1], "the outcome table still shows the first study"
            assert figure.evaluate("image => image.naturalWidth") > 0
            expect(page.locator(".world-trace")).to_contain_text("Outcome: ", timeout=STUDY_MS)
            shot = tmp_path / "explorer.png"
            page.screenshot(path=shot)
        finally:
            browser.close()
    assert shot.stat().st_size > 50_000
    assert outside == [], f"the page asked the network for {outside}"
    assert "Could not load URL" not in server_errors.read_text(), "the server fetched an asset from the network"
