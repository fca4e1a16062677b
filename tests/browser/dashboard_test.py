"""The dashboard page in headless Chromium (Debian's chromium and chromium-driver) against a
live server filled by `herstelbrug demo`: it loads, signs in with the keyboard through the
local development login, shows exactly the figures the API returns, hides withheld cells,
loads nothing from elsewhere, and leaves a screenshot.

Usage: dashboard_test.py BASE_URL DASHBOARD_TOKEN SCREENSHOT.png AXE_MIN_JS
(the token is for gemeente:0268, the organisation the test signs in as). axe-core checks
the signed-out and the signed-in page for WCAG 2.1 A/AA (no serious or critical
violation), as for the client's page (mijn_test.py)."""

import json
import math
import pathlib
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from mijn_test import axe

ORG = "gemeente:0268"


def api(base, token, query):
    request = urllib.request.Request(
        f"{base}/v1/figures/continuity?{query}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def shown(value, kind):
    if kind == "count":
        return f"{value:,}".replace(",", ".")
    if kind == "percent":
        # As JavaScript's Math.round: halves up (Python's round() goes to even).
        return f"{math.floor(value * 100 + 0.5)}%"
    raise ValueError(kind)


class Checker:
    def __init__(self, driver):
        self.driver = driver
        self.compared = 0
        self.hidden = 0

    def cell(self, key, figure, kind):
        """The page's cell `key` shows `figure` as the API gave it."""
        nodes = self.driver.find_elements(By.CSS_SELECTOR, f'td[data-cell="{key}"]')
        assert len(nodes) == 1, f"no single cell {key}"
        node = nodes[0]
        text = node.text.strip()
        if figure["suppressed"]:
            assert text == "afgeschermd", f"{key}: withheld, but the page shows {text!r}"
            assert node.get_attribute("data-value") is None, f"{key} leaks a value"
            self.hidden += 1
        elif figure["value"] is None:
            assert text == "–", f"{key}: {text!r}"
        else:
            assert float(node.get_attribute("data-value")) == float(figure["value"]), key
            if kind:
                assert text.startswith(shown(figure["value"], kind)), f"{key}: {text!r} vs {figure['value']}"
        self.compared += 1


def check(driver, base, token, interval):
    by_municipality = api(base, token, f"interval={interval}&group_by=municipality")
    by_kind = api(base, token, f"interval={interval}&group_by=kind")
    checker = Checker(driver)
    for period in by_municipality["total"]["periods"]:
        p = period["period"]
        t = period["figures"]["trajectories"]
        checker.cell(f"endings:{p}", t["endings"], "count")
        checker.cell(f"with:{p}", t["endings_with_follow_up"], "count")
        checker.cell(f"share:{p}", t["share_with_follow_up"], "percent")
        checker.cell(f"gaps:{p}", t["gap_alerts"], "count")
        checker.cell(f"close:{p}", t["mean_days_to_close_gap"], None)
        checker.cell(f"follow-up:{p}", period["figures"]["referrals"]["days_to_follow_up"]["median_days"], None)
        bars = driver.find_elements(By.CSS_SELECTOR, f'rect[data-period="{p}"]')
        share = t["share_with_follow_up"]
        if share["suppressed"] or share["value"] is None:
            assert not bars, f"a bar for the withheld share of {p}"
        else:
            assert float(bars[0].get_attribute("data-value")) == share["value"]
    for group in by_municipality["open_gaps"]["groups"]:
        checker.cell(f"open-gaps:{group['group']}", group["count"], "count")
    checker.cell("open-gaps:total", by_municipality["open_gaps"]["total"], "count")
    for group in by_kind["groups"]:
        r = group["whole_range"]["referrals"]
        checker.cell(f"wait-measured:{group['group']}", r["to_acceptance"]["measured"], "count")
        checker.cell(f"wait-acceptance:{group['group']}", r["to_acceptance"]["median_days"], None)
        checker.cell(f"wait-total:{group['group']}", r["total_wait"]["median_days"], None)
    return checker


def main():
    base, token, screenshot = sys.argv[1], sys.argv[2], sys.argv[3]
    axe_source = pathlib.Path(sys.argv[4]).read_text()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(30)
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(f"{base}/dashboard")
        assert driver.title.startswith("Herstelbrug")
        wait.until(ec.visibility_of_element_located((By.ID, "dev-form")))
        axe(driver, axe_source, "dashboard signed out")
        # Sign in with the keyboard only: choose the organisation, press Enter on the button.
        Select(driver.find_element(By.ID, "dev-org")).select_by_value(ORG)
        driver.find_element(By.ID, "dev-login").send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true")
        assert "Nijmegen" in driver.find_element(By.ID, "scope").text
        quarter = check(driver, base, token, "quarter")
        axe(driver, axe_source, "dashboard signed in")
        driver.save_screenshot(screenshot)
        # Per month: more small cells, so withheld ones surely appear.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        Select(driver.find_element(By.ID, "interval")).select_by_value("month")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, 'td[data-cell^="share:"]')) == 12)
        month = check(driver, base, token, "month")
        assert quarter.hidden + month.hidden > 0, "no withheld cell was exercised"
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        foreign = [r for r in resources if not r.startswith(base)]
        assert not foreign, f"loaded from elsewhere: {foreign}"
        print(
            f"dashboard: {quarter.compared + month.compared} cells match the API "
            f"({quarter.hidden + month.hidden} withheld and hidden); screenshot {screenshot}"
        )
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
