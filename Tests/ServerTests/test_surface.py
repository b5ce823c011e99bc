"""The ARM surface beyond the clients' scenarios: LRO headers and self-progressing operations, the
look-ups az makes, and pcapctl's additions (files, download, summary, bpfExpression, counters)."""
import hashlib
import os
import time

from conftest import NAMESPACE, SUBSCRIPTION, TENANT, count_marked, pcap_packets, send_udp, wait_for


def create(daemon, name, **properties):
    body = {"properties": {"target": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}",
                           "storageLocation": {"filePath": f"{daemon.captures}/{name}.cap"}, **properties}}
    r = daemon.request("PUT", daemon.captures_path() + "/" + name, json=body)
    assert r.status_code == 201, r.text
    return r


def test_create_is_201_with_async_operation(daemon):
    r = create(daemon, "lro1", timeLimitInSeconds=120)
    assert r.headers["Retry-After"] == "1"
    operation = r.headers["Azure-AsyncOperation"]
    assert operation.startswith(daemon.base + "/subscriptions/") and "api-version=2026-03-01" in operation
    assert r.json()["properties"]["provisioningState"] in ("Updating", "Succeeded")
    # The operation finishes without being polled.
    time.sleep(3)
    op = daemon.request("GET", operation[len(daemon.base):], api=None)
    assert op.status_code == 200 and op.json()["status"] == "Succeeded"
    resource = daemon.request("GET", daemon.captures_path() + "/lro1").json()
    assert resource["properties"]["provisioningState"] == "Succeeded"
    assert resource["type"] == "Microsoft.Network/networkWatchers/packetCaptures"


def test_stop_and_delete_progress_on_their_own(daemon):
    r = daemon.request("POST", daemon.captures_path() + "/lro1/stop")
    assert r.status_code == 202
    assert r.headers["Retry-After"] == "1"
    location = r.headers["Location"][len(daemon.base):]
    assert "/operationResults/" in location
    time.sleep(4)  # nobody polls meanwhile
    done = daemon.request("GET", location, api=None)
    assert done.status_code == 200
    status = daemon.request("POST", daemon.captures_path() + "/lro1/queryStatus")
    assert status.status_code == 200 and status.json()["packetCaptureStatus"] == "Stopped"
    r = daemon.request("DELETE", daemon.captures_path() + "/lro1")
    assert r.status_code == 202 and r.headers["Retry-After"] == "1"
    location = r.headers["Location"][len(daemon.base):]
    assert wait_for(lambda: daemon.request("GET", location, api=None).status_code == 204, timeout=15)
    assert daemon.request("GET", daemon.captures_path() + "/lro1").status_code == 404
    assert daemon.request("DELETE", daemon.captures_path() + "/lro1").status_code == 204
    assert daemon.request("POST", daemon.captures_path() + "/lro1/stop").status_code == 404
    assert daemon.request("POST", daemon.captures_path() + "/lro1/queryStatus").status_code == 404


def test_files_download_and_summary(daemon):
    create(daemon, "files1", timeLimitInSeconds=120, filters=[{"protocol": "UDP"}])
    assert wait_for(lambda: daemon.request("POST", daemon.captures_path() + "/files1/queryStatus").json()["packetCaptureStatus"] == "Running")
    resource = daemon.request("GET", daemon.captures_path() + "/files1").json()
    assert resource["properties"]["bpfExpression"], resource
    running = daemon.request("GET", daemon.captures_path() + "/files1/files")
    assert running.status_code == 409 and running.json()["error"]["code"] == "PacketCaptureIsRunning"
    send_udp("filemark", count=30, port=40123)
    time.sleep(1.5)
    r = daemon.request("POST", daemon.captures_path() + "/files1/stop")
    assert wait_for(lambda: daemon.request("GET", r.headers["Location"][len(daemon.base):], api=None).status_code == 200)
    status = daemon.request("POST", daemon.captures_path() + "/files1/queryStatus").json()
    for counter in ("packetsCaptured", "packetsDropped", "bytesWritten", "packetsReceived"):
        assert counter in status
    assert status["packetsCaptured"] >= 30

    listing = daemon.request("GET", daemon.captures_path() + "/files1/files").json()["value"]
    assert [f["name"] for f in listing] == ["files1.cap"]
    entry = listing[0]
    path = f"{daemon.captures}/files1.cap"
    with open(path, "rb") as f:
        on_disk = f.read()
    assert entry["sizeInBytes"] == len(on_disk)
    assert entry["sha256"] == hashlib.sha256(on_disk).hexdigest()

    download = daemon.request("GET", entry["downloadPath"], api=None)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/vnd.tcpdump.pcap"
    assert int(download.headers["Content-Length"]) == len(on_disk)
    assert download.headers["x-pcapctl-sha256"] == hashlib.sha256(download.content).hexdigest()
    assert download.content == on_disk
    assert count_marked(path, "filemark") == 30

    summary = daemon.request("GET", daemon.captures_path() + "/files1/files/files1.cap/summary").json()
    assert summary["packets"] == sum(1 for _ in pcap_packets(path))
    assert summary["packets"] >= 30
    assert summary["firstPacketTime"] <= summary["lastPacketTime"]
    udp = [p for p in summary["protocols"] if p["name"] == "UDP"]
    assert udp and udp[0]["packets"] >= 30
    talker = [t for t in summary["topTalkers"] if 40123 in (t["localPort"], t["remotePort"])]
    assert talker and talker[0]["protocol"] == "UDP" and talker[0]["packets"] >= 30
    assert "198.18.7.1" in (talker[0]["localAddress"], talker[0]["remoteAddress"])

    assert daemon.request("GET", daemon.captures_path() + "/files1/files/other.cap").status_code == 404
    assert daemon.request("DELETE", daemon.captures_path() + "/files1").status_code == 202


def test_continuous_capture(daemon):
    body = {"properties": {"target": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}",
                           "continuousCapture": True, "storageLocation": {"localPath": f"{daemon.captures}/ring.cap"},
                           "captureSettings": {"fileCount": 2, "fileSizeInBytes": 1048576}}}
    r = daemon.request("PUT", daemon.captures_path() + "/ring1", json=body)
    assert r.status_code == 201, r.text
    properties = daemon.request("GET", daemon.captures_path() + "/ring1").json()["properties"]
    assert properties["continuousCapture"] is True
    assert properties["captureSettings"]["fileCount"] == 2
    assert "totalBytesPerSession" not in properties and "timeLimitInSeconds" not in properties
    assert wait_for(lambda: daemon.request("POST", daemon.captures_path() + "/ring1/queryStatus").json()["packetCaptureStatus"] == "Running")
    send_udp("ringmark", count=10, port=40321)
    time.sleep(1.5)
    r = daemon.request("POST", daemon.captures_path() + "/ring1/stop")
    assert wait_for(lambda: daemon.request("GET", r.headers["Location"][len(daemon.base):], api=None).status_code == 200)
    files = daemon.request("GET", daemon.captures_path() + "/ring1/files").json()["value"]
    assert files and all(f["name"].startswith("ring") for f in files)
    assert sum(count_marked(os.path.join(daemon.captures, f["name"]), "ringmark") for f in files
               if os.path.exists(os.path.join(daemon.captures, f["name"]))) == 10
    assert daemon.request("DELETE", daemon.captures_path() + "/ring1").status_code == 202


def test_lookups_az_makes(daemon):
    subs = daemon.request("GET", "/subscriptions", api="2022-12-01").json()["value"]
    assert subs[0]["subscriptionId"] == SUBSCRIPTION and subs[0]["tenantId"] == TENANT and subs[0]["state"] == "Enabled"
    watchers = daemon.request("GET", f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Network/networkWatchers", api="2022-01-01").json()["value"]
    assert {w["name"]: w["location"] for w in watchers} == {"NetworkWatcher_local": "local", "NetworkWatcher_westus": "westus"}
    assert all("/resourceGroups/NetworkWatcherRG/" in w["id"] for w in watchers)
    vm = daemon.request("GET", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}", api="2026-04-01")
    assert vm.status_code == 200 and vm.json()["location"] == "local"
    host = daemon.request("GET", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/localhost", api="2026-04-01")
    assert host.status_code == 200
    missing = daemon.request("GET", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/nope", api="2026-04-01")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    ss = daemon.request("GET", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachineScaleSets/nope", api="2026-04-01")
    assert ss.status_code == 404


def test_paths_are_case_insensitive(daemon):
    path = daemon.captures_path().replace("resourceGroups", "RESOURCEGROUPS").replace("packetCaptures", "packetcaptures").replace("NetworkWatcher_local", "networkwatcher_LOCAL")
    assert daemon.request("GET", path).status_code == 200
