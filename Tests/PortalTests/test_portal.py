"""The portal page in a real browser (headless Chromium), against a daemon with real captures: the
Azure portal's steps (sign in, + Add with two filters, listed as Running, counters rising, Stop from the
"..." menu, the file from the details link, Delete after "Yes"), the field errors, and the page's
security headers. The tests run in order, as one operator's session."""
import html.parser
import os
import re
import subprocess
import time

import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import ADDRESS, NAMESPACE, screenshot, server, wait

NAME = "portal1"
PORT = 40100
LABELS = ["Subscription", "Resource group", "Target type", "Target instance", "Packet capture name", "Capture location",
          "Storage account", "Local file path", "Maximum bytes per packet", "Maximum bytes per session", "Time limit (seconds)",
          "Protocol", "Local IP address", "Local port", "Remote IP address", "Remote port", "Continuous capture"]
CONTINUOUS_LABELS = ["File count", "File size (bytes)", "Session time (seconds)"]


@pytest.fixture(autouse=True)
def back_to_the_list(request):
    """After each test, the list again (one failure should not fail the tests after it for a form left open)."""
    yield
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser")
        for view, text in (("create", "Cancel"), ("details", "Back to packet captures")):
            if driver.find_elements(By.ID, view) and by_id(driver, view).is_displayed():
                button(driver, text).click()


def by_id(driver, id):
    return driver.find_element(By.ID, id)


def button(driver, text, scope=None):
    """The one visible button with exactly this text."""
    found = [b for b in (scope or driver).find_elements(By.TAG_NAME, "button") if b.is_displayed() and b.text == text]
    assert len(found) == 1, f"{len(found)} visible buttons '{text}'"
    return found[0]


def row(driver, name):
    rows = driver.find_elements(By.CSS_SELECTOR, f'#capture-rows tr[data-name="{name}"]')
    return rows[0] if rows else None


def cell(driver, name, column):
    """A cell's text by column heading, read fresh (the list refreshes itself)."""
    headings = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#captures thead th")]
    for _ in range(5):
        try:
            r = row(driver, name)
            return r.find_elements(By.TAG_NAME, "td")[headings.index(column)].text if r else None
        except StaleElementReferenceException:
            continue


def control_for_label(driver, text, scope=None):
    """The control a `<label for>` with exactly this text names (a label without for fails)."""
    labels = [l for l in (scope or driver).find_elements(By.TAG_NAME, "label") if l.is_displayed() and l.text == text]
    assert labels, f"no visible label '{text}'"
    target = labels[-1].get_attribute("for")
    assert target, f"label '{text}' has no for"
    return by_id(driver, target)


def fill(driver, label, value, scope=None):
    control = control_for_label(driver, label, scope)
    control.clear()
    control.send_keys(value)


def api_names(daemon):
    r = daemon.request("GET", daemon.captures_path())
    assert r.status_code == 200, r.text
    return {c["name"] for c in r.json()["value"]}


def test_page_is_served_with_a_strict_policy_and_no_inline_code(daemon):
    r = requests.get(daemon.base + "/", verify=daemon.cert)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    policy = r.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'none'"):
        assert directive in policy
    assert "unsafe" not in policy
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Set-Cookie" not in r.headers

    class Inline(html.parser.HTMLParser):
        found = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "script" and "src" not in attrs or tag == "style" or "style" in attrs or any(k.startswith("on") for k in attrs):
                self.found.append((tag, attrs))
            if tag in ("script", "link") and (attrs.get("src") or attrs.get("href") or "/").startswith(("http:", "https:", "//")):
                self.found.append((tag, attrs))

    parser = Inline()
    parser.feed(r.text)
    assert parser.found == []
    for asset, kind in (("/portal/portal.js", "text/javascript"), ("/portal/portal.css", "text/css")):
        a = requests.get(daemon.base + asset, verify=daemon.cert)
        assert a.status_code == 200 and a.headers["Content-Type"].startswith(kind)
        assert a.headers["X-Content-Type-Options"] == "nosniff"
    assert "localStorage" not in requests.get(daemon.base + "/portal/portal.js", verify=daemon.cert).text
    # The page needs no token to load; the API still does.
    assert requests.get(daemon.base + "/portal/missing.js", verify=daemon.cert).status_code == 404
    assert requests.post(daemon.base + "/", verify=daemon.cert).status_code == 405


def test_sign_in_keeps_the_token_in_memory_only(browser, daemon):
    browser.get(daemon.base + "/")
    wait(browser, lambda d: by_id(d, "client-id").is_displayed())
    fill(browser, "Client ID", server.CONTRIBUTOR[0])
    fill(browser, "Client secret", "not-the-secret")
    button(browser, "Sign in").click()
    wait(browser, lambda d: "not valid" in by_id(d, "signin-error").text)
    assert not by_id(browser, "list").is_displayed()

    fill(browser, "Client secret", server.CONTRIBUTOR[1])
    button(browser, "Sign in").click()
    wait(browser, lambda d: by_id(d, "list").is_displayed())
    stored = browser.execute_script("return [localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""]
    assert browser.get_cookies() == []
    assert server.CONTRIBUTOR[1] not in browser.page_source
    assert by_id(browser, "client-secret").get_attribute("value") == ""
    assert f"Signed in as {server.CONTRIBUTOR[0]}" in by_id(browser, "whoami").text


def open_form(browser):
    button(browser, "+ Add").click()
    wait(browser, lambda d: by_id(d, "create").is_displayed() and Select(by_id(d, "target-instance")).options)


def test_every_label_names_its_control(browser):
    open_form(browser)
    button(browser, "+ Add filter").click()
    Select(control_for_label(browser, "Capture location")).select_by_visible_text("Both")
    for text in LABELS:
        assert control_for_label(browser, text).tag_name in ("input", "select"), text
    Select(control_for_label(browser, "Continuous capture")).select_by_visible_text("On: stop after the last file")
    for text in CONTINUOUS_LABELS:
        assert control_for_label(browser, text).tag_name == "input", text
    assert [o.text for o in Select(control_for_label(browser, "Capture location")).options] == ["Storage account", "File", "Both"]
    assert [o.text for o in Select(control_for_label(browser, "Target type")).options] == ["Virtual machine", "Scale set"]
    assert sorted(o.text for o in Select(control_for_label(browser, "Protocol")).options) == ["Any", "TCP", "UDP"]
    button(browser, "Cancel").click()


def test_create_through_the_form_with_two_filters(browser, daemon):
    open_form(browser)
    instances = Select(control_for_label(browser, "Target instance"))
    assert NAMESPACE in [o.text for o in instances.options]
    instances.select_by_visible_text(NAMESPACE)
    assert control_for_label(browser, "Packet capture name").get_attribute("value").startswith("pc-")  # the default
    fill(browser, "Packet capture name", NAME)
    path = control_for_label(browser, "Local file path").get_attribute("value")
    assert path == f"{daemon.captures}/{NAME}.cap"
    fill(browser, "Time limit (seconds)", "300")
    for protocol, local_ip, local_port, remote_port in (("UDP", ADDRESS, str(PORT), ""), ("TCP", "", "", "443")):
        button(browser, "+ Add filter").click()
        rows = browser.find_elements(By.CSS_SELECTOR, "#filter-rows .filter-row")
        last = rows[-1]
        Select(control_for_label(browser, "Protocol", last)).select_by_visible_text(protocol)
        if local_ip:
            fill(browser, "Local IP address", local_ip, last)
        if local_port:
            fill(browser, "Local port", local_port, last)
        if remote_port:
            fill(browser, "Remote port", remote_port, last)
    screenshot(browser, "portal-form.png")
    button(browser, "Start packet capture").click()
    wait(browser, lambda d: by_id(d, "list").is_displayed())
    wait(browser, lambda d: cell(d, NAME, "Status") == "Running", timeout=30)
    assert cell(browser, NAME, "Target") == NAMESPACE and cell(browser, NAME, "Location") == server.LOCATION

    resource = daemon.request("GET", daemon.captures_path() + "/" + NAME).json()["properties"]
    assert [(f["protocol"], f.get("localIPAddress"), f.get("localPort"), f.get("remotePort")) for f in resource["filters"]] == \
        [("UDP", ADDRESS, str(PORT), None), ("TCP", None, None, "443")]
    assert resource["timeLimitInSeconds"] == 300 and resource["bpfExpression"]


def test_list_shows_every_watcher_and_status(browser, daemon):
    """A capture made through the API in the other watcher, then stopped, is listed too."""
    path = daemon.captures_path("NetworkWatcher_westus") + "/apimade"
    body = {"properties": {"target": f"/subscriptions/{server.SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}",
                           "storageLocation": {"filePath": f"{daemon.captures}/apimade.cap"}, "timeLimitInSeconds": 60}}
    assert daemon.request("PUT", path, json=body).status_code == 201
    assert server.wait_for(lambda: daemon.request("POST", path + "/queryStatus").json()["packetCaptureStatus"] == "Running")
    assert daemon.request("POST", path + "/stop").status_code == 202
    wait(browser, lambda d: cell(d, "apimade", "Status") == "Stopped", timeout=30)
    assert cell(browser, "apimade", "Location") == "westus" and cell(browser, "apimade", "Stop reason") == "StopRequested"
    assert cell(browser, NAME, "Status") == "Running"


def test_counters_rise_with_traffic_and_the_chart_draws(browser, daemon):
    before = int(cell(browser, NAME, "Packets").replace(",", "") or 0)
    server.send_udp("portalmark", count=40, port=PORT, namespace=NAMESPACE)
    wait(browser, lambda d: int((cell(d, NAME, "Packets") or "0").replace(",", "")) >= before + 40, timeout=20)
    assert int(cell(browser, NAME, "Bytes").replace(",", "")) > 0
    screenshot(browser, "portal-list.png")

    row(browser, NAME).find_element(By.CSS_SELECTOR, "button.capture-name").click()
    wait(browser, lambda d: by_id(d, "details").is_displayed() and by_id(d, "details-live").is_displayed())
    assert "udp" in by_id(browser, "details-bpf").text
    for _ in range(3):  # a rate needs two samples; traffic between them makes it non-zero
        server.send_udp("portalrate", count=30, port=PORT, namespace=NAMESPACE)
        time.sleep(1)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg polyline.packets"), timeout=10)
    wait(browser, lambda d: any(int(v) > 0 for v in re.findall(r"Now: (\d+) packets/s", by_id(d, "chart-now").text)), timeout=10)
    screenshot(browser, "portal-chart.png")
    button(browser, "Back to packet captures").click()


def test_stop_from_the_menu(browser, daemon):
    menu = row(browser, NAME).find_element(By.CSS_SELECTOR, "button.menu-button")
    assert menu.text == "..."
    menu.click()
    button(browser, "Stop").click()
    wait(browser, lambda d: cell(d, NAME, "Status") == "Stopped", timeout=30)
    assert cell(browser, NAME, "Stop reason") == "StopRequested"


def test_download_from_the_details_link_and_the_summary(browser, daemon, downloads):
    row(browser, NAME).find_element(By.CSS_SELECTOR, "button.capture-name").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#details-files a.file-link"), timeout=15)
    details = by_id(browser, "details-status").text
    assert "StopRequested" in details
    link = browser.find_element(By.CSS_SELECTOR, "#details-files a.file-link")
    assert link.text == f"{NAME}.cap"
    link.click()
    target = os.path.join(downloads, f"{NAME}.cap")
    wait(browser, lambda d: os.path.exists(target) and not os.path.exists(target + ".crdownload"), timeout=20)
    assert browser.find_element(By.CSS_SELECTOR, "#details-files a.file-link").get_attribute("href").startswith("blob:")
    # Independent decoders: the server tests' pcap reader and tcpdump.
    assert server.count_marked(target, "portalmark") == 40
    with open(target, "rb") as f, open(f"{daemon.captures}/{NAME}.cap", "rb") as g:
        assert f.read() == g.read()
    dump = subprocess.run(["tcpdump", "-nn", "-r", target, "udp", "and", "port", str(PORT)], capture_output=True, text=True)
    assert dump.returncode == 0 and len(dump.stdout.splitlines()) >= 40, dump.stderr

    wait(browser, lambda d: "Top talkers" in by_id(d, "details-summary").text, timeout=15)
    summary = by_id(browser, "details-summary").text
    assert "UDP" in summary and f"{ADDRESS}:{PORT}" in summary
    screenshot(browser, "portal-details.png")
    button(browser, "Back to packet captures").click()


def test_delete_after_confirming_with_the_keyboard(browser, daemon):
    menu = row(browser, NAME).find_element(By.CSS_SELECTOR, "button.menu-button")
    menu.send_keys(Keys.ENTER)
    wait(browser, lambda d: d.switch_to.active_element.text == "Delete")  # Stop is disabled once stopped
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert browser.switch_to.active_element == menu and menu.get_attribute("aria-expanded") == "false"

    menu.send_keys(Keys.ENTER)
    wait(browser, lambda d: d.switch_to.active_element.text == "Delete")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    dialog = by_id(browser, "confirm-delete")
    wait(browser, lambda d: dialog.is_displayed())
    assert NAME in dialog.text
    button(browser, "No", dialog).click()
    time.sleep(2.5)
    assert row(browser, NAME) is not None and NAME in api_names(daemon)

    row(browser, NAME).find_element(By.CSS_SELECTOR, "button.menu-button").click()
    button(browser, "Delete").click()
    wait(browser, lambda d: dialog.is_displayed())
    button(browser, "Yes", dialog).click()
    wait(browser, lambda d: row(d, NAME) is None, timeout=20)
    assert daemon.request("GET", daemon.captures_path() + "/" + NAME).status_code == 404
    assert os.path.exists(f"{daemon.captures}/{NAME}.cap")  # delete keeps the delivered file


def field_error(browser, label, scope=None):
    control = control_for_label(browser, label, scope)
    assert control.get_attribute("aria-invalid") == "true", label
    return by_id(browser, control.get_attribute("id") + "-error").text


def test_field_errors_create_nothing(browser, daemon):
    stored_before = daemon.stored_names()
    open_form(browser)
    Select(control_for_label(browser, "Target instance")).select_by_visible_text(NAMESPACE)
    fill(browser, "Packet capture name", "badport")
    button(browser, "+ Add filter").click()
    fill(browser, "Local port", "70000")
    fill(browser, "Local file path", "/tmp/outside.cap")
    button(browser, "Start packet capture").click()
    assert "70000 is over 65535" in field_error(browser, "Local port")
    assert "must start with " + daemon.captures + "/" in field_error(browser, "Local file path")
    assert browser.switch_to.active_element.get_attribute("id") == "filter-0-localPort"

    # The server's own rule, shown next to the field its target names (the page has no rule for it).
    fill(browser, "Local port", "7000")
    fill(browser, "Local file path", f"{daemon.captures}/badport.cap")
    fill(browser, "Time limit (seconds)", "20000")
    button(browser, "Start packet capture").click()
    wait(browser, lambda d: "properties.timeLimitInSeconds" in by_id(d, "time-limit-error").text)
    assert control_for_label(browser, "Time limit (seconds)").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "file-path-error").text == "" and by_id(browser, "filter-0-localPort-error").text == ""
    assert by_id(browser, "create").is_displayed()

    assert "badport" not in api_names(daemon) and daemon.stored_names() == stored_before
    assert not os.path.exists("/tmp/outside.cap") and not os.path.exists(f"{daemon.captures}/badport.cap")
    button(browser, "Cancel").click()


def test_continuous_capture_through_the_form(browser, daemon):
    open_form(browser)
    Select(control_for_label(browser, "Target instance")).select_by_visible_text(NAMESPACE)
    fill(browser, "Packet capture name", "portalring")
    Select(control_for_label(browser, "Continuous capture")).select_by_visible_text("On: keep the newest files")
    assert not by_id(browser, "time-limit").is_displayed() and not by_id(browser, "bytes-per-session").is_displayed()
    fill(browser, "File count", "20000")
    fill(browser, "File size (bytes)", "1048576")
    fill(browser, "Session time (seconds)", "600")
    button(browser, "Start packet capture").click()
    # The server's rule for the file count, shown at its field; nothing created.
    wait(browser, lambda d: "captureSettings.fileCount" in by_id(d, "file-count-error").text)
    assert "portalring" not in api_names(daemon)

    fill(browser, "File count", "3")
    button(browser, "Start packet capture").click()
    wait(browser, lambda d: cell(d, "portalring", "Status") == "Running", timeout=30)
    properties = daemon.request("GET", daemon.captures_path() + "/portalring").json()["properties"]
    assert properties["continuousCapture"] is True
    assert properties["captureSettings"] == {"fileCount": 3, "fileSizeInBytes": 1048576, "sessionTimeLimitInSeconds": 600}
    assert properties["storageLocation"]["localPath"] == f"{daemon.captures}/portalring.cap"
    r = daemon.request("DELETE", daemon.captures_path() + "/portalring")
    assert r.status_code == 202
    wait(browser, lambda d: row(d, "portalring") is None, timeout=30)


def test_readable_at_200_percent_zoom(browser):
    """At 200 % zoom a 1280-pixel window is 640 CSS pixels wide: nothing may need sideways scrolling
    but the list's own table."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 640, "height": 900, "deviceScaleFactor": 2, "mobile": False})
    try:
        open_form(browser)
        button(browser, "+ Add filter").click()
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        button(browser, "Cancel").click()
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_no_console_errors(browser):
    # The 401 of the wrong secret and the 400 of the refused create are logged as failed loads; anything
    # else (a script error, a Content-Security-Policy refusal) is a defect.
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]
    assert errors == []
