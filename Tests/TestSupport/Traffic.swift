import Foundation

/// Sends UDP datagrams from this process, so a test knows exactly what it put on the wire.
/// Only to loopback or to addresses inside namespaces the test created.
public enum UDPTraffic {
    /// Sends `count` datagrams of `payloadSize` bytes to `address:port` (IPv4) from an ephemeral port.
    /// Returns the source port used.
    @discardableResult
    public static func send(count: Int, payloadSize: Int, to address: String = "127.0.0.1", port: UInt16, pacingMicroseconds: UInt32 = 0) -> UInt16 {
        precondition(count <= 1_000_000, "bounded traffic only")
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        precondition(fd >= 0, "socket: \(errno)")
        defer { close(fd) }
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &destination.sin_addr)
        let payload = [UInt8](repeating: 0x61, count: payloadSize)
        for _ in 0..<count {
            _ = withUnsafePointer(to: &destination) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if pacingMicroseconds > 0 { usleep(pacingMicroseconds) }
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: bound.sin_port)
    }

    /// A free UDP port number for this test, from a range no service here uses.
    public static func uniquePort() -> UInt16 {
        UInt16.random(in: 20_000...40_000)
    }
}
