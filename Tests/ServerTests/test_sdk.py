"""The real Python SDK (azure-mgmt-network) against pcapctld, unchanged but for base_url."""
import json
import os
import time

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import (ClientAuthenticationError, HttpResponseError, ResourceExistsError,
                                   ResourceNotFoundError)
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import PacketCapture, PacketCaptureFilter, PacketCaptureStorageLocation

from conftest import CONTRIBUTOR, NAMESPACE, READER, SUBSCRIPTION, TENANT, WATCHER, count_marked, send_udp

GROUP = "NetworkWatcherRG"


class DaemonCredential:
    """A credential that gets its token from the daemon's own token endpoint, as MSAL would."""

    def __init__(self, daemon, client):
        self.daemon, self.client = daemon, client

    def get_token(self, *scopes, **kwargs):
        r = requests.post(f"{self.daemon.base}/{TENANT}/oauth2/v2.0/token", verify=self.daemon.cert,
                          data={"grant_type": "client_credentials", "client_id": self.client[0],
                                "client_secret": self.client[1], "scope": scopes[0]})
        r.raise_for_status()
        body = r.json()
        return AccessToken(body["access_token"], int(time.time()) + body["expires_in"])


class FixedCredential:
    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, int(time.time()) + 3600)


def client(daemon, credential):
    return NetworkManagementClient(credential, SUBSCRIPTION, base_url=daemon.base, connection_verify=daemon.cert)


@pytest.fixture(scope="module")
def sdk(daemon):
    return client(daemon, DaemonCredential(daemon, CONTRIBUTOR))


def vm_id(name=NAMESPACE):
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{name}"


def capture(daemon, file_name, **kw):
    return PacketCapture(target=vm_id(), storage_location=PacketCaptureStorageLocation(
        file_path=os.path.join(daemon.captures, file_name)), **kw)


def test_sdk_lifecycle(daemon, sdk):
    name = "sdk-life"
    path = os.path.join(daemon.captures, "sdk-life.cap")
    started = time.monotonic()
    result = sdk.packet_captures.begin_create(
        GROUP, WATCHER, name, capture(daemon, "sdk-life.cap", time_limit_in_seconds=300,
                                      filters=[PacketCaptureFilter(protocol="UDP")])).result()
    assert time.monotonic() - started < 15, "create must not wait for the 30 s default poll interval"
    assert result.name == name
    assert result.provisioning_state == "Succeeded"
    assert result.target == vm_id()
    assert result.storage_location.file_path == path
    assert result.time_limit_in_seconds == 300
    assert result.total_bytes_per_session == 1073741824

    got = sdk.packet_captures.get(GROUP, WATCHER, name)
    assert got.id.endswith(f"/networkWatchers/{WATCHER}/packetCaptures/{name}")
    assert got.filters[0].protocol == "UDP"
    assert got.as_dict().get("bpf_expression") or got["properties"]["bpfExpression"]

    status = sdk.packet_captures.begin_get_status(GROUP, WATCHER, name).result()
    assert status.packet_capture_status == "Running"
    assert status.stop_reason is None

    send_udp("sdkmark", count=25)
    time.sleep(1.5)

    started = time.monotonic()
    sdk.packet_captures.begin_stop(GROUP, WATCHER, name).result()
    assert time.monotonic() - started < 20
    status = sdk.packet_captures.begin_get_status(GROUP, WATCHER, name).result()
    assert status.packet_capture_status == "Stopped"
    assert status.stop_reason == "StopRequested"
    assert status.capture_start_time is not None
    assert status["packetsCaptured"] >= 25, "pcapctl's counters are extra keys the SDK keeps"

    assert name in [c.name for c in sdk.packet_captures.list(GROUP, WATCHER)]
    listed = json.loads(daemon.pcapctl("list", "-l", "local").stdout)
    assert name in [c["name"] for c in listed], "the CLI sees the server's capture (shared store)"

    assert count_marked(path, "sdkmark") == 25, "the capture file holds the test's datagrams"

    sdk.packet_captures.begin_delete(GROUP, WATCHER, name).result()
    with pytest.raises(ResourceNotFoundError):
        sdk.packet_captures.get(GROUP, WATCHER, name)
    assert os.path.exists(path), "delete keeps the delivered file"
    # Deleting again succeeds (204), as ARM does.
    sdk.packet_captures.begin_delete(GROUP, WATCHER, name).result()


def test_cli_capture_visible_to_sdk(daemon, sdk):
    made = daemon.pcapctl("create", "-n", "from-cli", "--vm", NAMESPACE, "--file-path",
                          os.path.join(daemon.captures, "from-cli.cap"), "--time-limit", "60")
    assert made.returncode == 0, made.stderr
    try:
        got = sdk.packet_captures.get(GROUP, WATCHER, "from-cli")
        assert got.time_limit_in_seconds == 60
        status = sdk.packet_captures.begin_get_status(GROUP, WATCHER, "from-cli").result()
        assert status.packet_capture_status == "Running"
    finally:
        sdk.packet_captures.begin_delete(GROUP, WATCHER, "from-cli").result()
    assert "from-cli" not in [c["name"] for c in json.loads(daemon.pcapctl("list").stdout)]


def test_duplicate_create_is_resource_exists(daemon, sdk):
    name = "sdk-dup"
    sdk.packet_captures.begin_create(GROUP, WATCHER, name, capture(daemon, "sdk-dup.cap", time_limit_in_seconds=60)).result()
    try:
        with pytest.raises(ResourceExistsError) as raised:
            sdk.packet_captures.begin_create(GROUP, WATCHER, name, capture(daemon, "sdk-dup2.cap")).result()
        assert raised.value.error.code == "PacketCaptureExistingAlready"
        assert not os.path.exists(os.path.join(daemon.captures, "sdk-dup2.cap"))
    finally:
        sdk.packet_captures.begin_delete(GROUP, WATCHER, name).result()


@pytest.mark.parametrize("field,kwargs,target", [
    ("time limit", {"time_limit_in_seconds": 20000}, "properties.timeLimitInSeconds"),
    ("per-packet size", {"bytes_to_capture_per_packet": 4294967296}, "properties.bytesToCapturePerPacket"),
    ("file path outside the root", {"storage_location": PacketCaptureStorageLocation(file_path="/etc/evil.cap")},
     "properties.storageLocation.filePath"),
    ("file path traversal", {"storage_location": PacketCaptureStorageLocation(file_path="/tmp/../etc/x.cap")},
     "properties.storageLocation.filePath"),
    ("file extension", {"storage_location": PacketCaptureStorageLocation(file_path="/var/captures/x.pcap")},
     "properties.storageLocation.filePath"),
    ("filter port", {"filters": [PacketCaptureFilter(protocol="TCP", local_port="99999")]}, "properties.filters"),
    ("missing VM", {"target": vm_id("no-such-vm")}, "properties.target"),
])
def test_invalid_body_names_the_field(daemon, sdk, field, kwargs, target):
    body = capture(daemon, "invalid.cap")
    for key, value in kwargs.items():
        setattr(body, key, value)
    before = (daemon.stored_names(), daemon.files_under_roots())
    with pytest.raises(HttpResponseError) as raised:
        sdk.packet_captures.begin_create(GROUP, WATCHER, "sdk-invalid", body).result()
    assert raised.value.error.target == target, str(raised.value)
    assert raised.value.status_code in (400, 404)
    assert (daemon.stored_names(), daemon.files_under_roots()) == before, "nothing written"


def test_no_token_is_client_authentication_error(daemon):
    for token in ("", "not-a-jwt"):
        with pytest.raises(ClientAuthenticationError):
            client(daemon, FixedCredential(token)).packet_captures.get(GROUP, WATCHER, "anything")


def test_reader_may_read_not_write(daemon):
    reader = client(daemon, DaemonCredential(daemon, READER))
    assert list(reader.packet_captures.list(GROUP, WATCHER)) is not None
    with pytest.raises(HttpResponseError) as raised:
        reader.packet_captures.begin_create(GROUP, WATCHER, "by-reader", capture(daemon, "by-reader.cap")).result()
    assert raised.value.status_code == 403
    assert raised.value.error.code == "AuthorizationFailed"
    assert "by-reader" not in daemon.stored_names()
