"""Malformed and hostile requests: each gets a 4xx with ARM's error body (or the connection is closed
for a slow client), nothing is written, and the daemon keeps serving."""
import json
import os
import socket
import ssl
import time

import pytest

from conftest import NAMESPACE, SUBSCRIPTION, WATCHER

GOOD_BODY = {"properties": {"target": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}",
                            "storageLocation": {"filePath": "/var/captures/never.cap"}}}


def with_path(body, path):
    body = json.loads(json.dumps(body))
    body["properties"]["storageLocation"]["filePath"] = path
    return body


def props(**kw):
    body = json.loads(json.dumps(GOOD_BODY))
    body["properties"].update(kw)
    return body


CORPUS = [
    ("not json", b"{not json", 400, "InvalidRequestFormat", None),
    ("truncated json", b'{"properties": {"target": "x"', 400, "InvalidRequestFormat", None),
    ("json array", b"[1,2,3]", 400, "InvalidRequestFormat", None),
    ("empty body", b"", 400, "InvalidRequestFormat", None),
    ("invalid utf-8", b'{"properties": {"target": "\xff\xfe"}}', 400, "InvalidRequestFormat", None),
    ("deep nesting", b"[" * 100000 + b"]" * 100000, 400, "InvalidRequestFormat", None),
    ("no properties", json.dumps({"target": "x"}).encode(), 400, None, "properties"),
    ("properties not object", json.dumps({"properties": "x"}).encode(), 400, None, "properties"),
    ("target number", json.dumps(props(target=5)).encode(), 400, None, "properties.target"),
    ("time limit string", json.dumps(props(timeLimitInSeconds="60")).encode(), 400, None, "properties.timeLimitInSeconds"),
    ("time limit fraction", json.dumps(props(timeLimitInSeconds=1.5)).encode(), 400, None, "properties.timeLimitInSeconds"),
    ("time limit negative", json.dumps(props(timeLimitInSeconds=-1)).encode(), 400, None, "properties.timeLimitInSeconds"),
    ("bytes huge", json.dumps(props(totalBytesPerSession=10**30)).encode(), 400, None, "properties.totalBytesPerSession"),
    ("filters not list", json.dumps(props(filters={"protocol": "TCP"})).encode(), 400, None, "properties.filters"),
    ("filter bad protocol", json.dumps(props(filters=[{"protocol": "SCTP"}])).encode(), 400, None, "properties.filters"),
    ("target type", json.dumps(props(targetType="Container")).encode(), 400, None, "properties.targetType"),
    ("target other subscription", json.dumps(props(target="/subscriptions/other/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")).encode(), 400, None, "properties.target"),
    ("traversal in file path", json.dumps(with_path(GOOD_BODY, "/var/captures/../../etc/passwd.cap")).encode(), 400, None, "properties.storageLocation.filePath"),
    ("relative file path", json.dumps(with_path(GOOD_BODY, "../x.cap")).encode(), 400, None, "properties.storageLocation.filePath"),
    ("NUL in file path", json.dumps(with_path(GOOD_BODY, "/var/captures/a\u0000b.cap")).encode(), 400, None, "properties.storageLocation.filePath"),
    ("continuous capture with filePath", json.dumps(props(continuousCapture=True)).encode(), 400, None, "properties.storageLocation.filePath"),
    ("capture settings without continuous", json.dumps(props(captureSettings={"fileCount": 2})).encode(), 400, None, "properties.captureSettings"),
    ("scope wrong type", json.dumps(props(scope={"include": [1]})).encode(), 400, None, "properties.scope.include[0]"),
]


def armed_error(response):
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]


@pytest.mark.parametrize("label,raw,status,code,target", CORPUS, ids=[c[0] for c in CORPUS])
def test_malformed_create_bodies(daemon, label, raw, status, code, target):
    before = (daemon.stored_names(), daemon.files_under_roots())
    # Point the good parts at this test's captures root so only the hostile part is wrong.
    raw = raw.replace(b"/var/captures/", daemon.captures.encode() + b"/")
    r = daemon.request("PUT", daemon.captures_path() + "/hostile", data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    error = armed_error(r)
    if code:
        assert error["code"] == code
    if target:
        assert error.get("target") == target, error
    assert (daemon.stored_names(), daemon.files_under_roots()) == before, "nothing written"


@pytest.mark.parametrize("name", ["..", "a..%2F..%2Fetc", "%2E%2E", "bad name", "x" * 81, "-lead", "trail.", "%00x", "a%2Fb"])
def test_hostile_capture_names(daemon, name):
    before = daemon.stored_names()
    r = daemon.request("PUT", daemon.captures_path() + "/" + name, json=GOOD_BODY)
    assert 400 <= r.status_code < 500, r.text
    armed_error(r)
    assert daemon.stored_names() == before


@pytest.mark.parametrize("path", [
    "/subscriptions/%s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_..%%2F..%%2Fetc/packetCaptures" % SUBSCRIPTION,
    "/subscriptions/%s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/Other/packetCaptures" % SUBSCRIPTION,
    "/subscriptions/%s/resourceGroups/other/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local/packetCaptures" % SUBSCRIPTION,
    "/subscriptions/other/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local/packetCaptures",
    "/subscriptions/%s/../../etc/passwd" % SUBSCRIPTION,
])
def test_hostile_paths_are_404(daemon, path):
    r = daemon.request("GET", path)
    assert r.status_code == 404, r.text
    armed_error(r)


def test_api_version_rules(daemon):
    r = daemon.request("GET", daemon.captures_path(), api=None)
    assert r.status_code == 400 and armed_error(r)["code"] == "MissingApiVersionParameter"
    r = daemon.request("GET", daemon.captures_path(), api="1999-01-01")
    assert r.status_code == 400 and armed_error(r)["code"] == "InvalidApiVersionParameter"
    for api in ("2022-01-01", "2024-05-01", "2025-07-01", "2026-03-01"):
        assert daemon.request("GET", daemon.captures_path(), api=api).status_code == 200


def test_file_download_traversal(daemon):
    for name in ("..%2F..%2Fcapture.json", "%2Fetc%2Fpasswd", "capture.json"):
        r = daemon.request("GET", daemon.captures_path() + "/nosuch/files/" + name)
        assert r.status_code in (400, 404), r.text
        armed_error(r)


def test_huge_body_is_413(daemon):
    before = daemon.stored_names()
    big = b'{"properties": {"pad": "' + b"x" * (4 << 20) + b'"}}'
    r = daemon.request("PUT", daemon.captures_path() + "/huge", data=big)
    assert r.status_code == 413, r.text
    assert daemon.stored_names() == before


def test_huge_announced_length_is_413_without_body(daemon):
    status, _ = raw_exchange(daemon, b"PUT %s/huge2?api-version=2026-03-01 HTTP/1.1\r\nHost: x\r\n"
                             b"Authorization: Bearer %s\r\nContent-Length: 999999999\r\n\r\n"
                             % (daemon.captures_path().encode(), daemon.token().encode()))
    assert status == 413


def tls_socket(daemon):
    host, port = daemon.host_port
    context = ssl.create_default_context(cafile=daemon.cert)
    raw = socket.create_connection((host, port), timeout=30)
    return context.wrap_socket(raw, server_hostname=host)


def raw_exchange(daemon, request, wait=30):
    """Sends raw bytes; returns (status or None if the server closed without answering, data)."""
    sock = tls_socket(daemon)
    sock.settimeout(wait)
    try:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionError, ssl.SSLError, socket.timeout):
        data = b""
    finally:
        sock.close()
    if not data.startswith(b"HTTP/1.1 "):
        return None, data
    return int(data.split(b" ")[1]), data


def raw_response(sock, data=b"", wait=30):
    """Reads the response the server answers with and then closes on (after `data`, what was read of it
    already): (status, headers, body)."""
    sock.settimeout(wait)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
        pass
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 "), data[:200]
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.decode().partition(":") for line in lines[1:])}
    return int(lines[0].split(b" ")[1]), headers, body


def refused(daemon, request, status, code):
    """Sends raw bytes the HTTP decoder refuses: the answer is `status` with ARM's error body, then the
    connection closes, and the daemon still serves."""
    sock = tls_socket(daemon)
    try:
        sock.sendall(request)
    except (ConnectionError, ssl.SSLError):
        pass  # the server may answer and close before it has read everything
    got, headers, body = raw_response(sock)
    assert got == status, body
    assert headers["content-type"].startswith("application/json")
    assert headers.get("connection") == "close"
    error = json.loads(body[:int(headers["content-length"])])["error"]
    assert error["code"] == code and error["message"], error
    assert daemon.request("GET", "/subscriptions", api="2022-12-01").status_code == 200, "still serving"
    return error


REQUEST_LINE = b"GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\n"


def test_one_huge_header_is_431(daemon):
    refused(daemon, REQUEST_LINE + b"X-Big: " + b"z" * 100_000 + b"\r\n\r\n", 431, "RequestHeaderFieldsTooLarge")


def test_five_thousand_headers_are_431(daemon):
    flood = b"".join(b"X-Flood-%d: y\r\n" % i for i in range(5000))
    refused(daemon, REQUEST_LINE + flood + b"\r\n", 431, "RequestHeaderFieldsTooLarge")


def test_too_many_small_headers_are_431(daemon):
    """Under the byte limit, over the field count (100)."""
    refused(daemon, REQUEST_LINE + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n", 431, "RequestHeaderFieldsTooLarge")


@pytest.mark.parametrize("raw", [
    b"\x00\x01\x02 GARBAGE\r\n\r\n",
    b"GET /subscriptions HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /subscriptions HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
], ids=["garbage request line", "bad version", "header without colon", "bad chunk size"])
def test_malformed_http_is_400(daemon, raw):
    refused(daemon, raw, 400, "InvalidRequest")


def test_a_pipelined_request_is_answered_before_the_refusal(daemon):
    """A good request followed at once by garbage on the same connection: its own answer comes first."""
    sock = tls_socket(daemon)
    sock.sendall(b"GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
                 % daemon.token().encode() + b"\x00GARBAGE\r\n\r\n")
    status, _, rest = raw_response(sock)
    assert status == 200
    second = rest.find(b"HTTP/1.1 ")
    assert second > 0 and rest[second:].startswith(b"HTTP/1.1 400 "), rest
    assert b'"InvalidRequest"' in rest[second:]


def test_slow_client_is_cut_off(daemon):
    """A client trickling its headers gets 408 with ARM's body once the request deadline passes, and is
    disconnected; others are served meanwhile."""
    sock = tls_socket(daemon)
    sock.sendall(REQUEST_LINE)
    started = time.monotonic()
    answer = b""
    while time.monotonic() - started < 40 and not answer:
        assert daemon.request("GET", "/subscriptions", api="2022-12-01").status_code == 200
        try:
            sock.sendall(b"X-Slow: 1\r\n")
            sock.settimeout(2)
            answer = sock.recv(65536)
            if not answer:
                break
        except socket.timeout:
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            break
    status, headers, body = raw_response(sock, answer)
    assert status == 408 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "RequestTimeout"
    assert 15 < time.monotonic() - started < 40


def test_daemon_survived(daemon):
    assert daemon.process.poll() is None
    assert daemon.request("GET", "/subscriptions", api="2022-12-01").status_code == 200
