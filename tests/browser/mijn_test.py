"""The client's own page (/mijn/) in headless Chromium (Debian's chromium and
chromium-driver) against a live server filled by `herstelbrug demo`: a fictional client
signs in with the keyboard through the local development issuer (authorization code with
PKCE), sees who is involved, withdraws a consent and then sees the referral's new state.
axe-core checks every view for WCAG 2.1 A/AA (no serious or critical violation); at 390 px
the page does not scroll sideways; screenshots at 390 px and 1280 px are left as artifacts.

Usage: mijn_test.py BASE_URL AXE_MIN_JS ARTIFACT_DIR"""

import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The lists are drawn anew after a change: read them in one script each time, so a redraw
# between finding an element and reading it cannot leave a stale reference.
FIRST_REFERRAL = (
    "const li = document.querySelector('#verwijzingen li[data-referral]');"
    "return li ? [li.dataset.status, li.textContent] : null;"
)


def axe(driver, source, view):
    """Runs axe-core on the current page; fails on any serious or critical violation."""
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: String(e)}]));",
        AXE_TAGS,
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, f"{view}: axe reports {serious}"
    print(f"axe {view}: {len(result)} minor or moderate findings, none serious or critical")


def no_sideways_scroll(driver, view):
    width = driver.execute_script("return document.documentElement.scrollWidth")
    viewport = driver.execute_script("return window.innerWidth")
    assert width <= viewport, f"{view}: {width} px wide in a {viewport} px window"


def main():
    base, axe_path, artifacts = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    source = pathlib.Path(axe_path).read_text()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(30)
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(f"{base}/mijn/")
        assert driver.title.startswith("Mijn herstelpad"), driver.title
        button = wait.until(ec.visibility_of_element_located((By.ID, "inlog-knop")))
        axe(driver, source, "signed out")
        # Keyboard only: focus the button, press Enter.
        driver.execute_script("arguments[0].focus()", button)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(lambda d: "/dev-issuer/authorize" in d.current_url)
        wait.until(ec.visibility_of_element_located((By.ID, "inloggen")))
        axe(driver, source, "development issuer")
        sanne = driver.find_element(By.ID, "p-sanne")
        assert sanne.is_selected(), "the first fictional person is chosen"
        driver.find_element(By.ID, "inloggen").send_keys(Keys.ENTER)

        wait.until(ec.visibility_of_element_located((By.ID, "traject")))
        assert "code=" not in driver.current_url, "the code leaves the address bar"
        involved = wait.until(ec.visibility_of_element_located((By.ID, "betrokken")))
        wait.until(lambda d: "Peters" in involved.text)
        assert "Anna de Vries" in involved.text, involved.text
        status_code, text = driver.execute_script(FIRST_REFERRAL)
        assert status_code == "requested", text
        assert "Aangevraagd" in text
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#inzage tr"))
        axe(driver, source, "signed in")
        driver.save_screenshot(str(artifacts / "mijn-1280.png"))
        driver.set_window_size(390, 1600)
        no_sideways_scroll(driver, "390 px")
        axe(driver, source, "signed in at 390 px")
        driver.save_screenshot(str(artifacts / "mijn-390.png"))
        driver.set_window_size(1280, 1600)

        # Withdraw the consent for Nijmegen, with the keyboard.
        withdraw = wait.until(
            ec.element_to_be_clickable(
                (By.CSS_SELECTOR, "#toestemmingen button[aria-label*='intrekken']")
            )
        )
        driver.execute_script("arguments[0].focus()", withdraw)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        status = driver.find_element(By.ID, "status")
        wait.until(lambda d: "ingetrokken" in status.text)
        wait.until(lambda d: (d.execute_script(FIRST_REFERRAL) or [None])[0] == "cancelled")
        status_code, text = driver.execute_script(FIRST_REFERRAL)
        assert "Gestopt" in text, text
        wait.until(
            lambda d: "Ingetrokken"
            in d.execute_script("return document.getElementById('toestemmingen').textContent")
        )
        axe(driver, source, "after the withdrawal")
        driver.save_screenshot(str(artifacts / "mijn-after-withdrawal.png"))
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not errors, f"console errors: {errors}"
        print("mijn: signed in as a fictional client, saw who is involved, withdrew a consent, saw the referral stopped")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
