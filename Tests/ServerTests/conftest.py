"""Fixtures for the pcapctld tests: a daemon on 127.0.0.1 with a self-signed certificate it generates,
clients of each role, a network namespace to capture in, and helpers to send and read back packets.

Run as root (captures need CAP_NET_RAW, namespaces CAP_SYS_ADMIN), from `make test`, after the Swift
build: PCAPCTL_BIN_DIR names the directory holding pcapctl and pcapctld (default .build/debug).
"""
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PCAPCTL_BIN_DIR", os.path.join(REPO, ".build", "debug"))
TENANT = "7f1c2d3e-0000-4000-8000-00000000c0de"
SUBSCRIPTION = "5ab1e5ed-1111-4222-8333-444455556666"
NAMESPACE = "pcsrv_vm1"
LOCATION = "local"
WATCHER = "NetworkWatcher_local"
CONTRIBUTOR = ("ci-contributor", "contributor-secret-" + uuid.uuid4().hex)
READER = ("ci-reader", "reader-secret-" + uuid.uuid4().hex)
WESTONLY = ("ci-west", "west-secret-" + uuid.uuid4().hex)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 60), **kw)


class Daemon:
    def __init__(self, root):
        self.root = root
        self.home = os.path.join(root, "state")
        self.captures = os.path.join(root, "captures")
        self.storage = os.path.join(root, "storage")
        for d in (self.home, self.captures, self.storage):
            os.makedirs(d, mode=0o700)
        self.cert = os.path.join(root, "server.crt")
        self.key = os.path.join(root, "server.key")
        self.env = dict(os.environ, PCAPCTL_HOME=self.home, PCAPCTL_CAPTURES_ROOT=self.captures,
                        PCAPCTL_STORAGE_ROOT=self.storage, PCAPCTL_SUBSCRIPTION=SUBSCRIPTION,
                        PCAPCTL_LOCATION=LOCATION)
        self.process = None
        self.base = None
        self.stderr_lines = []

    def pcapctld(self, *args, **kw):
        return run([os.path.join(BIN, "pcapctld"), *args], env=self.env, **kw)

    def pcapctl(self, *args):
        return run([os.path.join(BIN, "pcapctl"), *args], env=self.env)

    def start(self, extra=()):
        if not os.path.exists(self.cert):
            generated = self.pcapctld("--generate-certificate", "--certificate", self.cert, "--key", self.key)
            assert generated.returncode == 0, generated.stderr
        hashed = self.pcapctld("--hash-secret", input=WESTONLY[1] + "\n")
        assert hashed.returncode == 0, hashed.stderr
        config = os.path.join(self.root, "server.json")
        with open(config, "w") as f:
            json.dump({"listen": "127.0.0.1:0", "certificate": self.cert, "key": self.key,
                       "tenant": TENANT, "subscription": SUBSCRIPTION, "locations": [LOCATION, "westus"],
                       "clients": [{"id": WESTONLY[0], "secretHash": hashed.stdout.strip(),
                                    "role": "contributor", "locations": ["westus"]}]}, f)
        self.stderr_lines, self.base = [], None
        self.process = subprocess.Popen(
            [os.path.join(BIN, "pcapctld"), "--config", config,
             "--client", "%s:%s" % CONTRIBUTOR, "--client", "%s:%s:reader" % READER, *extra],
            env=self.env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.stderr_lines.append(line)
            if line.startswith("listening on https://"):
                self.base = line.split()[-1]
                break
        assert self.base, "pcapctld did not start: " + "".join(self.stderr_lines)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    @property
    def host_port(self):
        host, port = self.base[len("https://"):].rsplit(":", 1)
        return host, int(port)

    def token(self, client=CONTRIBUTOR):
        r = requests.post(f"{self.base}/{TENANT}/oauth2/v2.0/token", verify=self.cert,
                          data={"grant_type": "client_credentials", "client_id": client[0],
                                "client_secret": client[1], "scope": "https://management.azure.com/.default"})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def captures_path(self, watcher=WATCHER):
        return (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network"
                f"/networkWatchers/{watcher}/packetCaptures")

    def request(self, method, path, token=None, client=CONTRIBUTOR, api="2026-03-01", **kw):
        headers = kw.pop("headers", {})
        if token is None:
            token = self.token(client)
        if token:
            headers["Authorization"] = "Bearer " + token
        sep = "&" if "?" in path else "?"
        url = f"{self.base}{path}" + (f"{sep}api-version={api}" if api else "")
        return requests.request(method, url, headers=headers, verify=self.cert, timeout=60, **kw)

    def stored_names(self):
        """Every capture name in the shared store, read from disk (not through the server)."""
        names = set()
        locations = os.path.join(self.home, "locations")
        if os.path.isdir(locations):
            for loc in os.listdir(locations):
                d = os.path.join(locations, loc, "captures")
                if os.path.isdir(d):
                    names.update(n for n in os.listdir(d) if not n.startswith("."))
        return names

    def files_under_roots(self):
        found = []
        for root in (self.captures, self.storage):
            for d, _, files in os.walk(root):
                found += [os.path.join(d, f) for f in files]
        return sorted(found)


@pytest.fixture(scope="session")
def namespace():
    """A network namespace standing in for a VM, with loopback up and an address in 198.18.0.0/15."""
    run(["ip", "netns", "del", NAMESPACE])
    assert run(["ip", "netns", "add", NAMESPACE]).returncode == 0
    run(["ip", "-n", NAMESPACE, "link", "set", "lo", "up"])
    run(["ip", "-n", NAMESPACE, "addr", "add", "198.18.7.1/32", "dev", "lo"])
    yield NAMESPACE
    run(["ip", "netns", "del", NAMESPACE])


@pytest.fixture(scope="session")
def daemon(namespace):
    root = tempfile.mkdtemp(prefix="pcapctld-test-")
    d = Daemon(root)
    d.start()
    yield d
    d.stop()
    for name in d.stored_names():
        d.pcapctl("stop", "-n", name)
    shutil.rmtree(root, ignore_errors=True)


def send_udp(marker, count=20, port=40000, namespace=NAMESPACE):
    """Sends `count` datagrams holding `marker` to 198.18.7.1 inside the namespace."""
    code = ("import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "for i in range(%d): s.sendto(b'%s-%%04d' %% i, ('198.18.7.1', %d))\n" % (count, marker, port))
    result = run(["ip", "netns", "exec", namespace, "python3", "-c", code])
    assert result.returncode == 0, result.stderr


def pcap_packets(path):
    """An independent reader of classic pcap files: yields (linktype, payload bytes) per record."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(order + "I", data[20:24])[0]
    offset = 24
    while offset + 16 <= len(data):
        _, _, incl, _ = struct.unpack(order + "IIII", data[offset:offset + 16])
        offset += 16
        yield linktype, data[offset:offset + incl]
        offset += incl


def count_marked(path, marker):
    """How many of the test's distinct datagrams (`marker-NNNN`) the file holds. On a loopback each
    datagram may be seen twice (going out and coming in), so copies count once."""
    found = set()
    for _, packet in pcap_packets(path):
        at = packet.find(marker.encode() + b"-")
        if at >= 0:
            found.add(packet[at:at + len(marker) + 5])
    return len(found)


def wait_for(predicate, timeout=20, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
