"""Fixtures for the portal tests: the server tests' daemon (Tests/ServerTests/conftest.py: pcapctld on
127.0.0.1 with a self-signed certificate it generates) and network namespace, and headless
Chromium (Debian's chromium + chromium-driver) driven by Selenium, trusting exactly that certificate.

Run as root, from `make test`, after the Swift build (PCAPCTL_BIN_DIR as for the server tests). Set
PORTAL_SCREENSHOTS=DIR to save the list, form and details screenshots there (docs/ holds the committed ones).
"""
import base64
import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("server_fixtures", os.path.join(HERE, "..", "ServerTests", "conftest.py"))
server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(server)

NAMESPACE = server.NAMESPACE
ADDRESS = "198.18.7.1"  # the namespace's address (server.namespace)
# The server tests' daemon and namespace fixtures, as they are.
namespace = server.namespace
daemon = server.daemon


def spki_hash(certificate_path):
    """base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium's SPKI allow-list takes it."""
    der = subprocess.run(["openssl", "x509", "-in", certificate_path, "-pubkey", "-noout"], capture_output=True, check=True).stdout
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=der, capture_output=True, check=True).stdout
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="session")
def downloads():
    directory = tempfile.mkdtemp(prefix="portal-downloads-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(daemon, downloads):
    """Headless Chromium that trusts the daemon's certificate and no other self-signed one."""
    profile = tempfile.mkdtemp(prefix="portal-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                 "--user-data-dir=" + profile, "--ignore-certificate-errors-spki-list=" + spki_hash(daemon.cert),
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait(driver, predicate, timeout=20):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: predicate(d))


def screenshot(driver, name):
    """The whole page (the viewport grown to the document's height, at most 2400 pixels) as PNG."""
    directory = os.environ.get("PORTAL_SCREENSHOTS")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    width, height = driver.execute_script("return [window.innerWidth, Math.min(document.documentElement.scrollHeight, 2400)]")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        with open(os.path.join(directory, name), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, the page's console and its visible error messages go into the report."""
    outcome = yield
    report = outcome.get_result()
    driver = item.funcargs.get("browser")
    if report.failed and driver is not None:
        try:
            errors = driver.execute_script(
                "return [...document.querySelectorAll('.error, .field-error')].filter(e => e.textContent).map(e => e.id + ': ' + e.textContent)")
            console = [e["message"] for e in driver.get_log("browser")]
            report.sections.append(("portal", "errors shown: %r\nconsole: %r" % (errors, console)))
        except Exception as error:  # the browser itself may be the failure
            report.sections.append(("portal", "could not read the page: %r" % error))
