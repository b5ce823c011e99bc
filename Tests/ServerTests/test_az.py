"""The real `az` (azure-cli from PyPI) against pcapctld: a registered cloud, a service-principal login
through the daemon's token endpoint, then azure-cli's recorded packet-capture scenario."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import CONTRIBUTOR, NAMESPACE, TENANT, count_marked, send_udp

AZ = os.environ.get("PCAPCTL_AZ", shutil.which("az") or "/opt/pcapctl-venv/bin/az")


@pytest.fixture(scope="module")
def az(daemon):
    config_dir = tempfile.mkdtemp(prefix="pcapctld-az-")
    env = dict(os.environ, AZURE_CONFIG_DIR=config_dir, REQUESTS_CA_BUNDLE=daemon.cert,
               AZURE_CORE_COLLECT_TELEMETRY="false", AZURE_CORE_NO_COLOR="true", AZURE_CORE_ONLY_SHOW_ERRORS="true")

    def call(*args, check=True):
        result = subprocess.run([AZ, *args], env=env, capture_output=True, text=True, timeout=120)
        if check:
            assert result.returncode == 0, f"az {' '.join(args)}: {result.stderr}"
        return result

    base = daemon.base
    call("config", "set", "core.instance_discovery=false")
    call("cloud", "register", "--name", "LocalPcap", "--endpoint-resource-manager", base + "/",
         "--endpoint-active-directory", base, "--endpoint-active-directory-resource-id",
         "https://management.core.windows.net/", "--endpoint-management", "https://management.core.windows.net/",
         "--skip-endpoint-discovery")
    call("cloud", "set", "--name", "LocalPcap")
    login = call("login", "--service-principal", "-u", CONTRIBUTOR[0], "-p", CONTRIBUTOR[1], "--tenant", TENANT)
    assert CONTRIBUTOR[1] not in login.stdout + login.stderr
    yield call
    shutil.rmtree(config_dir, ignore_errors=True)


def comparable(resource):
    keep = ["name", "id", "target", "targetType", "bytesToCapturePerPacket", "totalBytesPerSession",
            "timeLimitInSeconds", "provisioningState"]
    flat = {k: resource[k] for k in keep}
    flat["filePath"] = resource["storageLocation"]["filePath"]
    return flat


def test_az_watcher_recorded_scenario(daemon, az):
    """azure-cli's test_network_watcher_packet_capture, with a namespace as the VM."""
    path = os.path.join(daemon.captures, "az-watcher.cap")
    created = json.loads(az("network", "watcher", "packet-capture", "create", "-g", "rg1", "--vm", NAMESPACE,
                            "-n", "azcap", "--file-path", path, "--time-limit", "300").stdout)
    assert created["name"] == "azcap"
    assert created["resourceGroup"] == "NetworkWatcherRG"

    shown = json.loads(az("network", "watcher", "packet-capture", "show", "-l", "local", "-n", "azcap").stdout)
    by_cli = json.loads(daemon.pcapctl("show", "-n", "azcap", "-l", "local").stdout)
    assert comparable(shown) == comparable(by_cli), "az and pcapctl read the same resource"

    send_udp("azmark", count=15)
    time.sleep(1.5)
    az("network", "watcher", "packet-capture", "stop", "-l", "local", "-n", "azcap")
    status = json.loads(az("network", "watcher", "packet-capture", "show-status", "-l", "local", "-n", "azcap").stdout)
    assert status["packetCaptureStatus"] == "Stopped"
    assert status["stopReason"] == "StopRequested"
    cli_status = json.loads(daemon.pcapctl("show-status", "-n", "azcap", "-l", "local").stdout)
    assert cli_status["packetCaptureStatus"] == status["packetCaptureStatus"]
    assert cli_status["stopReason"] == status["stopReason"]

    listed = json.loads(az("network", "watcher", "packet-capture", "list", "-l", "local").stdout)
    assert "azcap" in [c["name"] for c in listed]
    assert count_marked(path, "azmark") == 15

    az("network", "watcher", "packet-capture", "delete", "-l", "local", "-n", "azcap")
    listed = json.loads(az("network", "watcher", "packet-capture", "list", "-l", "local").stdout)
    assert "azcap" not in [c["name"] for c in listed]
    assert "azcap" not in [c["name"] for c in json.loads(daemon.pcapctl("list").stdout)]


def test_az_missing_vm_exits_3(daemon, az):
    result = az("network", "watcher", "packet-capture", "create", "-g", "rg1", "--vm", "no-such-vm", "-n", "x",
                "--file-path", os.path.join(daemon.captures, "x.cap"), check=False)
    assert result.returncode == 3, result.stderr
    assert "x" not in daemon.stored_names()


def test_az_network_watcher_group(daemon, az):
    """az network network-watcher packet-capture (api 2024-05-01): no lookups, few fields."""
    path = os.path.join(daemon.captures, "az-nw.cap")
    sub = json.loads(az("account", "show").stdout)["id"]
    target = f"/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}"
    group = ["network", "network-watcher", "packet-capture"]
    where = ["-g", "NetworkWatcherRG", "--network-watcher-name", "NetworkWatcher_local", "--packet-capture-name", "aznw"]
    created = json.loads(az(*group, "create", *where, "--target", target,
                            "--storage-location", json.dumps({"filePath": path})).stdout)
    assert created["name"] == "aznw"
    assert created["timeLimitInSeconds"] == 18000, "server-side defaults for what the group leaves out"
    send_udp("nwmark", count=10)
    time.sleep(1.5)
    status = json.loads(az(*group, "query-status", *where).stdout)
    assert status["packetCaptureStatus"] == "Running"
    az(*group, "stop", *where)
    status = json.loads(az(*group, "query-status", *where).stdout)
    assert status["packetCaptureStatus"] == "Stopped"
    duplicate = az(*group, "create", *where, "--target", target,
                   "--storage-location", json.dumps({"filePath": path.replace(".cap", "-2.cap")}), check=False)
    assert duplicate.returncode == 1 and "PacketCaptureExistingAlready" in duplicate.stderr
    az(*group, "delete", *where, "--yes")
    assert count_marked(path, "nwmark") == 10
