import Foundation

/// Network namespaces joined by veth pairs, made by a test and torn down when it ends. Addresses come
/// from the 198.18.0.0/15 benchmarking range; traffic never leaves these namespaces.
public final class NetworkLab: @unchecked Sendable {
    public let tag: String
    public private(set) var namespaces: [String] = []

    public init() {
        tag = String(UUID().uuidString.prefix(6)).lowercased()
    }

    deinit {
        for namespace in namespaces.reversed() { _ = try? runCommand("/usr/bin/env", ["ip", "netns", "del", namespace]) }
    }

    /// Creates a namespace with `lo` up.
    @discardableResult
    public func addNamespace(_ name: String) throws -> String {
        try ip(["netns", "add", name])
        namespaces.append(name)
        try ip(["-n", name, "link", "set", "lo", "up"])
        return name
    }

    /// A client namespace and a VM namespace joined by a veth pair: client `198.18.S.1`, VM `198.18.S.2`.
    public func clientAndVM(subnet: Int) throws -> (client: String, vm: String) {
        let client = try addNamespace("pc\(subnet)c-\(tag)")
        let vm = try addNamespace("pc\(subnet)v-\(tag)")
        try link(client, "198.18.\(subnet).1", vm, "198.18.\(subnet).2")
        return (client, vm)
    }

    /// Joins two namespaces with a veth pair and gives each end an address (`198.18.x.y/prefix`).
    public func link(_ a: String, _ addressA: String, _ b: String, _ addressB: String, prefix: Int = 30) throws {
        let index = namespaces.count * 10 + Int.random(in: 0..<10)
        let endA = "v\(tag)a\(index)", endB = "v\(tag)b\(index)"
        try ip(["link", "add", endA, "netns", a, "type", "veth", "peer", "name", endB, "netns", b])
        try ip(["-n", a, "addr", "add", "\(addressA)/\(prefix)", "dev", endA])
        try ip(["-n", b, "addr", "add", "\(addressB)/\(prefix)", "dev", endB])
        try ip(["-n", a, "link", "set", endA, "up"])
        try ip(["-n", b, "link", "set", endB, "up"])
    }

    /// Adds a second address on each side of the veth between `a` and `b`, with host routes so that
    /// traffic between the two new addresses uses them as sources.
    public func addSecondAddress(_ a: String, _ addressA: String, towards peerOfA: String, _ b: String, _ addressB: String, towards peerOfB: String) throws {
        for (namespace, address, peer) in [(a, addressA, peerOfA), (b, addressB, peerOfB)] {
            let device = try vethName(in: namespace)
            try ip(["-n", namespace, "addr", "add", "\(address)/32", "dev", device])
            try ip(["-n", namespace, "route", "add", "\(peer)/32", "dev", device, "src", address])
        }
    }

    /// The first veth device in `namespace`.
    public func vethName(in namespace: String) throws -> String {
        let listing = try runCommand("/usr/bin/env", ["ip", "-n", namespace, "-o", "link", "show", "type", "veth"]).standardOutput
        guard let field = listing.split(separator: ":").dropFirst().first,
            let name = field.trimmingCharacters(in: .whitespaces).split(separator: "@").first
        else { throw LabError(message: "no veth in \(namespace)") }
        return String(name)
    }

    /// Removes a namespace now (to test what a capture does when its target disappears).
    public func removeNamespace(_ name: String) throws {
        try ip(["netns", "del", name])
        namespaces.removeAll { $0 == name }
    }

    /// Sends `count` UDP datagrams from inside `namespace` with bash's /dev/udp, one socket each
    /// (so each has its own source port). Bounded: at most 10,000.
    public func sendUDP(from namespace: String, to address: String, port: UInt16, count: Int, payload: String = "pcapctl-test") throws {
        precondition(count <= 10_000, "bounded traffic only")
        let script = "for i in $(seq 1 \(count)); do echo \(payload) > /dev/udp/\(address)/\(port); done"
        let result = try runCommand("/usr/bin/env", ["ip", "netns", "exec", namespace, "timeout", "30", "bash", "-c", script])
        guard result.exitCode == 0 else { throw LabError(message: "sending from \(namespace) failed: \(result.standardError)") }
    }

    /// Sends TCP connection attempts (SYNs answered by RST when nothing listens) from inside `namespace`.
    public func sendTCP(from namespace: String, to address: String, port: UInt16, count: Int) throws {
        precondition(count <= 1_000, "bounded traffic only")
        let script = "for i in $(seq 1 \(count)); do (exec 3<>/dev/tcp/\(address)/\(port)) 2>/dev/null; done; true"
        let result = try runCommand("/usr/bin/env", ["ip", "netns", "exec", namespace, "timeout", "30", "bash", "-c", script])
        guard result.exitCode == 0 else { throw LabError(message: "tcp from \(namespace) failed: \(result.standardError)") }
    }

    private func ip(_ arguments: [String]) throws {
        let result = try runCommand("/usr/bin/env", ["ip"] + arguments)
        guard result.exitCode == 0 else { throw LabError(message: "ip \(arguments.joined(separator: " ")): \(result.standardError)") }
    }
}

public struct LabError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
