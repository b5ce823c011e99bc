"""The two pcapctl additions the page's form reads (docs/server.md): the VM and scale set lists of a
resource group, and the watcher's captures root. Authorised like the rest of the API."""
import socket

import requests

from conftest import NAMESPACE, server


def compute(daemon, kind, group="rg7", **kw):
    return daemon.request("GET", f"/subscriptions/{server.SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Compute/{kind}",
                          api="2024-07-01", **kw)


def test_virtual_machines_are_the_host_and_its_namespaces(daemon):
    r = compute(daemon, "virtualMachines", client=server.READER)
    assert r.status_code == 200, r.text
    machines = {vm["name"]: vm for vm in r.json()["value"]}
    assert socket.gethostname() in machines and NAMESPACE in machines
    vm = machines[NAMESPACE]
    assert vm["id"] == f"/subscriptions/{server.SUBSCRIPTION}/resourceGroups/rg7/providers/Microsoft.Compute/virtualMachines/{NAMESPACE}"
    assert vm["type"] == "Microsoft.Compute/virtualMachines" and vm["location"] == server.LOCATION
    # Every listed VM is one the lookup (what az and create use) finds.
    for name in machines:
        assert daemon.request("GET", vm["id"].rsplit("/", 1)[0] + "/" + name, api="2024-07-01").status_code == 200


def test_scale_sets_are_namespace_families(daemon):
    names = ["pcportal_ss_0", "pcportal_ss_1", "pcportal_ss_x"]
    try:
        for name in names:
            assert server.run(["ip", "netns", "add", name]).returncode == 0
        r = compute(daemon, "virtualMachineScaleSets")
        assert r.status_code == 200, r.text
        sets = [s["name"] for s in r.json()["value"]]
        assert "pcportal_ss" in sets
        assert NAMESPACE.rsplit("_", 1)[0] not in sets  # pcsrv_vm1 is a VM, not instance "vm1" of a scale set
        assert all(s["type"] == "Microsoft.Compute/virtualMachineScaleSets" for s in r.json()["value"])
    finally:
        for name in names:
            server.run(["ip", "netns", "del", name])
    assert "pcportal_ss" not in [s["name"] for s in compute(daemon, "virtualMachineScaleSets").json()["value"]]


def test_lists_need_a_token(daemon):
    r = requests.get(f"{daemon.base}/subscriptions/{server.SUBSCRIPTION}/resourceGroups/rg7/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01",
                     verify=daemon.cert)
    assert r.status_code == 401 and r.json()["error"]["code"] == "AuthenticationFailed"


def test_watchers_carry_the_captures_root(daemon):
    r = daemon.request("GET", f"/subscriptions/{server.SUBSCRIPTION}/providers/Microsoft.Network/networkWatchers", api="2024-07-01")
    assert r.status_code == 200
    watchers = r.json()["value"]
    assert {w["location"] for w in watchers} == {server.LOCATION, "westus"}
    assert all(w["properties"] == {"provisioningState": "Succeeded", "capturesRoot": daemon.captures} for w in watchers)
