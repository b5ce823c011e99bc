"""The daemon's own lifecycle: SIGTERM stops it gracefully and leaves captures running; a restart picks
everything up from the store; bad configuration is refused before anything starts."""
import json
import os
import shutil
import signal
import socket
import tempfile
import time

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.core.polling.arm_polling import ARMPolling
from azure.mgmt.network.models import PacketCapture, PacketCaptureStorageLocation

from conftest import CONTRIBUTOR, NAMESPACE, SUBSCRIPTION, TENANT, WATCHER, Daemon, count_marked, send_udp, wait_for
from test_sdk import GROUP, DaemonCredential, client, vm_id


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


class BeginOnly(ARMPolling):
    """The SDK's own ARM polling, stopped before its first poll: the operation is begun and its
    continuation token taken, as by an SDK process that ends right after `begin_*`."""

    def run(self):
        pass


def test_operations_survive_a_restart(own_daemon):
    """The SDK begins each long-running operation, the daemon is restarted on the same store (and port,
    which the operation URLs name) before the first poll, and the SDK's own poller then finishes it."""
    d = own_daemon
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        listen = "127.0.0.1:%d" % probe.getsockname()[1]
    d.start(extra=["--listen", listen])

    def restart():
        d.process.send_signal(signal.SIGTERM)
        assert d.process.wait(timeout=30) == 0
        d.start(extra=["--listen", listen])

    sdk = client(d, DaemonCredential(d, CONTRIBUTOR))
    operations = sdk.packet_captures
    path = os.path.join(d.captures, "survivor.cap")
    body = PacketCapture(target=vm_id(), storage_location=PacketCaptureStorageLocation(file_path=path), time_limit_in_seconds=300)

    token = operations.begin_create(GROUP, WATCHER, "survivor", body, polling=BeginOnly()).continuation_token()
    restart()
    created = operations.begin_create(GROUP, WATCHER, "survivor", body, continuation_token=token).result()
    assert created.provisioning_state == "Succeeded"
    assert operations.begin_get_status(GROUP, WATCHER, "survivor").result().packet_capture_status == "Running"

    send_udp("survivormark", count=10)
    time.sleep(1.5)
    token = operations.begin_stop(GROUP, WATCHER, "survivor", polling=BeginOnly()).continuation_token()
    restart()
    operations.begin_stop(GROUP, WATCHER, "survivor", continuation_token=token).result()
    status = operations.begin_get_status(GROUP, WATCHER, "survivor").result()
    assert status.packet_capture_status == "Stopped" and status.stop_reason == "StopRequested"
    assert count_marked(path, "survivormark") == 10


    token = operations.begin_delete(GROUP, WATCHER, "survivor", polling=BeginOnly()).continuation_token()
    restart()
    operations.begin_delete(GROUP, WATCHER, "survivor", continuation_token=token).result()
    with pytest.raises(ResourceNotFoundError):
        operations.get(GROUP, WATCHER, "survivor")
    assert os.path.exists(path), "delete keeps the delivered file"


def test_an_operation_whose_capture_was_replaced_fails(own_daemon):
    """An operation URL names its capture's generation: after the capture is deleted and created again
    under the same name, its stop reports the first capture gone rather than the new one's state."""
    d = own_daemon
    d.start()
    body = {"properties": {"target": vm_id(), "storageLocation": {"filePath": f"{d.captures}/gen.cap"}, "timeLimitInSeconds": 300}}
    assert d.request("PUT", d.captures_path() + "/gen", json=body).status_code == 201
    stop = d.request("POST", d.captures_path() + "/gen/stop")
    assert stop.status_code == 202
    status_url = stop.headers["Azure-AsyncOperation"][len(d.base):]
    assert wait_for(lambda: d.request("GET", status_url, api=None).json()["status"] == "Succeeded")
    deleted = d.request("DELETE", d.captures_path() + "/gen")
    assert wait_for(lambda: d.request("GET", deleted.headers["Azure-AsyncOperation"][len(d.base):], api=None).json()["status"] == "Succeeded")
    body["properties"]["storageLocation"]["filePath"] = f"{d.captures}/gen2.cap"
    assert d.request("PUT", d.captures_path() + "/gen", json=body).status_code == 201

    d.process.send_signal(signal.SIGTERM)
    assert d.process.wait(timeout=30) == 0
    d.start()
    r = d.request("GET", status_url, api=None)
    assert r.status_code == 200 and r.json()["status"] == "Failed", r.text
    assert r.json()["error"]["code"] == "PacketCaptureNotFound"
    assert d.request("POST", d.captures_path() + "/gen/queryStatus").json()["packetCaptureStatus"] == "Running"
    r = d.request("GET", status_url.replace("/operations/stop.", "/operations/stop.0"), api=None)
    assert r.status_code == 200 and r.json()["status"] == "Failed"
    r = d.request("GET", status_url.replace("/operations/stop.", "/operations/explode."), api=None)
    assert r.status_code == 404 and r.json()["error"]["code"] == "OperationNotFound"


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
