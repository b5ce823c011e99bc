"""The daemon's own lifecycle: SIGTERM stops it gracefully and leaves captures running; a restart picks
everything up from the store; bad configuration is refused before anything starts."""
import json
import os
import shutil
import signal
import tempfile
import time

import pytest

from conftest import CONTRIBUTOR, NAMESPACE, SUBSCRIPTION, TENANT, Daemon, count_marked, send_udp, wait_for


@pytest.fixture
def own_daemon(namespace):
    d = Daemon(tempfile.mkdtemp(prefix="pcapctld-life-"))
    yield d
    d.stop()
    for name in d.stored_names():
        d.pcapctl("stop", "-n", name)
    shutil.rmtree(d.root, ignore_errors=True)


def test_sigterm_keeps_captures_and_restart_picks_them_up(own_daemon):
    d = own_daemon
    d.start()
    body = {"properties": {"target": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}",
                           "storageLocation": {"filePath": f"{d.captures}/life.cap"}, "timeLimitInSeconds": 300}}
    assert d.request("PUT", d.captures_path() + "/life", json=body).status_code == 201
    assert wait_for(lambda: d.request("POST", d.captures_path() + "/life/queryStatus").json()["packetCaptureStatus"] == "Running")
    token = d.token()

    d.process.send_signal(signal.SIGTERM)
    assert d.process.wait(timeout=20) == 0
    assert any("stopped" in line for line in d.stderr_lines)
    status = json.loads(d.pcapctl("show-status", "-n", "life").stdout)
    assert status["packetCaptureStatus"] == "Running", "the capture agent outlives the daemon"

    d.start()
    # A token issued before the restart is still valid: the signing key is kept in the state directory.
    r = d.request("POST", d.captures_path() + "/life/queryStatus", token=token)
    assert r.status_code == 200 and r.json()["packetCaptureStatus"] == "Running"
    send_udp("lifemark", count=12)
    time.sleep(1.5)
    r = d.request("POST", d.captures_path() + "/life/stop", token=token)
    assert r.status_code == 202
    assert wait_for(lambda: d.request("GET", r.headers["Location"][len(d.base):], api=None).status_code == 200)
    assert count_marked(f"{d.captures}/life.cap", "lifemark") == 12


@pytest.mark.parametrize("args,message", [
    (["--listen", "0.0.0.0:0", "--plain-http"], "--plain-http"),
    (["--listen", "127.0.0.1:0"], "--certificate/--key"),
    (["--listen", "nonsense"], "--listen"),
    (["--client", "bad id:x"], "--client"),
    (["--tenant", ""], "--tenant"),
    (["--bogus"], "unrecognized argument"),
])
def test_bad_command_lines_exit_2(own_daemon, args, message):
    base = ["--tenant", TENANT, "--subscription", SUBSCRIPTION, "--client", "a:b"]
    result = own_daemon.pcapctld(*base, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("pcapctld: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_config_file_unknown_key_and_bad_hash(own_daemon):
    path = os.path.join(own_daemon.root, "bad.json")
    for content, message in (({"tenant": TENANT, "listn": "x"}, "unknown key 'listn'"),
                             ({"clients": [{"id": "a", "secretHash": "plain"}]}, "secretHash")):
        with open(path, "w") as f:
            json.dump(content, f)
        result = own_daemon.pcapctld("--config", path)
        assert result.returncode == 2 and message in result.stderr, result.stderr


def test_generate_certificate_refuses_to_overwrite(own_daemon):
    d = own_daemon
    assert d.pcapctld("--generate-certificate", "--certificate", d.cert, "--key", d.key).returncode == 0
    assert oct(os.stat(d.key).st_mode & 0o777) == "0o600"
    again = d.pcapctld("--generate-certificate", "--certificate", d.cert, "--key", d.key)
    assert again.returncode == 2 and "already exists" in again.stderr
