"""Who may call: every ARM request needs a valid token; missing, expired, forged or under-privileged
tokens get 401/403 with ARM's error body and nothing happens. Secrets never reach the log."""
import base64
import hashlib
import hmac
import json
import os
import time

import pytest
import requests

from conftest import CONTRIBUTOR, NAMESPACE, READER, SUBSCRIPTION, TENANT, WESTONLY


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(daemon, claims, key=None):
    if key is None:
        with open(os.path.join(daemon.home, "server", "token.key"), "rb") as f:
            key = f.read()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def claims(**kw):
    now = int(time.time())
    base = {"iss": f"pcapctld/{TENANT}", "aud": "https://management.core.windows.net/", "sub": CONTRIBUTOR[0],
            "iat": now, "exp": now + 600, "tid": TENANT}
    base.update(kw)
    return base


def body(daemon, name):
    return {"properties": {"target": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}",
                           "storageLocation": {"filePath": f"{daemon.captures}/{name}.cap"}}}


def put(daemon, name, token):
    return daemon.request("PUT", daemon.captures_path() + "/" + name, token=token, json=body(daemon, name))


def test_discovery_and_token(daemon):
    r = requests.get(f"{daemon.base}/{TENANT}/v2.0/.well-known/openid-configuration", verify=daemon.cert)
    assert r.status_code == 200
    assert r.json()["token_endpoint"] == f"{daemon.base}/{TENANT}/oauth2/v2.0/token"
    assert daemon.token().count(".") == 2


@pytest.mark.parametrize("form,status,error", [
    ({"grant_type": "client_credentials", "client_id": CONTRIBUTOR[0], "client_secret": "wrong"}, 401, "invalid_client"),
    ({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"}, 401, "invalid_client"),
    ({"grant_type": "password", "client_id": CONTRIBUTOR[0], "client_secret": CONTRIBUTOR[1]}, 400, "unsupported_grant_type"),
    ({"grant_type": "client_credentials"}, 400, "invalid_request"),
])
def test_bad_token_requests(daemon, form, status, error):
    r = requests.post(f"{daemon.base}/{TENANT}/oauth2/v2.0/token", data=form, verify=daemon.cert)
    assert r.status_code == status and r.json()["error"] == error


def test_wrong_tenant(daemon):
    r = requests.post(f"{daemon.base}/other-tenant/oauth2/v2.0/token", verify=daemon.cert,
                      data={"grant_type": "client_credentials", "client_id": CONTRIBUTOR[0], "client_secret": CONTRIBUTOR[1]})
    assert r.status_code == 400


@pytest.mark.parametrize("label", ["missing", "not bearer", "garbage", "expired", "forged key", "alg none",
                                   "tampered claims", "wrong issuer", "unknown client"])
def test_rejected_tokens_are_401_and_write_nothing(daemon, label):
    good = daemon.token()
    head, payload, mac = good.split(".")
    tokens = {
        "missing": "",
        "garbage": "abc.def.ghi",
        "expired": signed(daemon, claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
        "forged key": signed(daemon, claims(), key=b"k" * 32),
        "alg none": b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims()).encode()) + ".",
        "tampered claims": head + "." + b64(json.dumps(claims(sub=READER[0], exp=int(time.time()) + 99999)).encode()) + "." + mac,
        "wrong issuer": signed(daemon, claims(iss="someone-else")),
        "unknown client": signed(daemon, claims(sub="ghost")),
    }
    name = "auth-" + label.replace(" ", "-")
    if label == "not bearer":
        r = daemon.request("PUT", daemon.captures_path() + "/" + name, token="",
                           headers={"Authorization": "Basic " + base64.b64encode(b"a:b").decode()}, json=body(daemon, name))
    else:
        r = put(daemon, name, tokens[label])
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] in ("AuthenticationFailed", "InvalidAuthenticationToken", "ExpiredAuthenticationToken")
    if label == "expired":
        assert r.json()["error"]["code"] == "ExpiredAuthenticationToken"
    assert name not in daemon.stored_names()
    assert not os.path.exists(f"{daemon.captures}/{name}.cap")


def test_unauthenticated_reads_are_401(daemon):
    for path in ("/subscriptions", daemon.captures_path(), f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Network/networkWatchers"):
        r = daemon.request("GET", path, token="")
        assert r.status_code == 401 and r.json()["error"]["code"] == "AuthenticationFailed"


def test_reader_is_403_on_writes(daemon):
    token = daemon.token(READER)
    assert daemon.request("GET", daemon.captures_path(), token=token).status_code == 200
    r = put(daemon, "by-reader2", token)
    assert r.status_code == 403 and r.json()["error"]["code"] == "AuthorizationFailed"
    for method, suffix in (("DELETE", ""), ("POST", "/stop")):
        r = daemon.request(method, daemon.captures_path() + "/anything" + suffix, token=token)
        assert r.status_code == 403
    assert "by-reader2" not in daemon.stored_names()


def test_location_restricted_client(daemon):
    """A client allowed only in westus (from the configuration file) is refused in local."""
    token = daemon.token(WESTONLY)
    assert daemon.request("GET", daemon.captures_path("NetworkWatcher_westus"), token=token).status_code == 200
    r = daemon.request("GET", daemon.captures_path(), token=token)
    assert r.status_code == 403
    assert put(daemon, "west-in-local", token).status_code == 403
    assert "west-in-local" not in daemon.stored_names()


def test_no_secret_in_log(daemon):
    log = "".join(daemon.stderr_lines)
    for secret in (CONTRIBUTOR[1], READER[1], WESTONLY[1]):
        assert secret not in log
    with open(os.path.join(daemon.home, "server", "token.key"), "rb") as f:
        assert oct(os.fstat(f.fileno()).st_mode & 0o777) == "0o600"
