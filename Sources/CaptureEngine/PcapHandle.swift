import CPcap
import Glibc

/// What a live capture is opened with. Every field maps to one libpcap setting made before activation.
public struct CaptureConfiguration: Sendable, Equatable {
    /// The interface; nil captures on all of them through libpcap's `any` device.
    public var interface: String?
    /// Bytes kept of each packet, link header included; 0 keeps whole packets (libpcap's maximum, 262144).
    public var snapshotLength: UInt64
    /// The kernel ring buffer in bytes. libpcap's default (2 MiB) drops bursts; see docs/benchmarks.md.
    public var bufferSize: UInt64
    /// How long the kernel may hold a partly filled ring block before handing it to the capture loop, so
    /// the longest a packet waits before it reaches the file's buffer (and what the drain at a stop waits).
    public var timeoutMilliseconds: Int32
    /// The BPF expression; nil captures everything.
    public var filter: String?
    /// Put a named interface in promiscuous mode (never possible on `any`).
    public var promiscuous: Bool

    public static let maximumSnapshotLength: UInt64 = 262_144
    public static let defaultBufferSize: UInt64 = 32 << 20
    /// 100 ms, not shorter: with the CPU stalled, a 2 MiB ring kept 93.9 % of a 64-byte burst at 50 ms and
    /// 96.6 % at 100 ms (tcpdump, at libpcap's 1 s, 97.2 %); longer only lengthens a stop's drain.
    /// See docs/benchmarks.md, "The ring's block timeout".
    public static let defaultTimeoutMilliseconds: Int32 = 100

    public init(
        interface: String? = nil, snapshotLength: UInt64 = 0, bufferSize: UInt64 = defaultBufferSize,
        timeoutMilliseconds: Int32 = defaultTimeoutMilliseconds, filter: String? = nil, promiscuous: Bool = false
    ) {
        self.interface = interface
        self.snapshotLength = snapshotLength
        self.bufferSize = bufferSize
        self.timeoutMilliseconds = timeoutMilliseconds
        self.filter = filter
        self.promiscuous = promiscuous
    }

    /// The snaplen handed to libpcap: 0 and anything above libpcap's maximum mean whole packets.
    public var effectiveSnapshotLength: Int32 {
        snapshotLength == 0 || snapshotLength > Self.maximumSnapshotLength
            ? Int32(Self.maximumSnapshotLength) : Int32(snapshotLength)
    }
}

/// What a capture received and lost, for a live handle.
public struct CaptureStatistics: Sendable, Equatable {
    /// Packets libpcap delivered to pcapctl, each once. Not libpcap's `ps_recv`: that counts what the kernel
    /// filter passed, which on loopback is every packet twice (libpcap itself discards the outgoing copy),
    /// so it could not be checked against the file.
    public var received: UInt64
    /// Packets dropped because the ring buffer was full.
    public var dropped: UInt64
    /// Packets the interface dropped; only counted for promiscuous captures on a real interface.
    public var droppedByInterface: UInt64
}

/// An activated live libpcap handle. Everything but `breakLoop` is confined to the capture thread;
/// `breakLoop` is the one call libpcap allows from another thread, hence `@unchecked Sendable`.
public final class PcapHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) { self.pointer = pointer }

    deinit { pcap_close(pointer) }

    /// Creates, configures and activates a live handle, then installs the filter.
    /// The corresponding C functions are `pcap_create`, `pcap_set_*`, `pcap_activate` and `pcap_setfilter`.
    public static func open(_ configuration: CaptureConfiguration) throws(CaptureError) -> PcapHandle {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let device = configuration.interface ?? "any"
        guard let pointer = pcap_create(device, &errorBuffer) else {
            throw CaptureError(.failed, "pcap_create(\(device)): \(decodeCString(errorBuffer))")
        }
        let handle = PcapHandle(pointer: pointer)
        pcap_set_snaplen(pointer, configuration.effectiveSnapshotLength)
        pcap_set_promisc(pointer, configuration.promiscuous ? 1 : 0)
        pcap_set_timeout(pointer, configuration.timeoutMilliseconds)
        pcap_set_immediate_mode(pointer, 0)
        pcap_set_buffer_size(pointer, Int32(clamping: configuration.bufferSize))
        let status = pcap_activate(pointer)
        if status < 0 {
            let detail = handle.lastError
            let reason = detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail
            switch status {
            case PCAP_ERROR_PERM_DENIED:
                throw CaptureError(.permissionDenied, "capturing on \(device) needs the CAP_NET_RAW capability (run as root): \(reason)")
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw CaptureError(.noSuchDevice, "no interface named '\(device)' in the capture's network namespace: \(reason)")
            default:
                throw CaptureError(.failed, "cannot capture on \(device): \(reason)")
            }
        }
        if let filter = configuration.filter {
            try handle.install(filter: filter)
        }
        return handle
    }

    private func install(filter: String) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(pointer, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(.badFilter, "the filter '\(filter)' does not compile: \(lastError)")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pointer, &program) == 0 else {
            throw CaptureError(.failed, "cannot install the filter: \(lastError)")
        }
    }

    /// The link-layer header type of captured packets (DLT_*).
    public var linkType: Int32 { pcap_datalink(pointer) }

    /// The snapshot length libpcap applies.
    public var snapshotLength: Int32 { pcap_snapshot(pointer) }

    /// Makes a blocked or later `pcap_dispatch` return. Safe from any thread.
    public func breakLoop() { pcap_breakloop(pointer) }

    /// The kernel's counters (pcap_stats), with `received` the count of packets delivered so far.
    func statistics(delivered: UInt64) -> CaptureStatistics? {
        var stats = pcap_stat()
        guard pcap_stats(pointer, &stats) == 0 else { return nil }
        return CaptureStatistics(received: delivered, dropped: UInt64(stats.ps_drop), droppedByInterface: UInt64(stats.ps_ifdrop))
    }

    /// The descriptor that becomes readable when packets are ready (pcap_get_selectable_fd).
    var selectableDescriptor: Int32 { pcap_get_selectable_fd(pointer) }

    func setNonBlocking() {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        pcap_setnonblock(pointer, 1, &errorBuffer)
    }

    var lastError: String { String(cString: pcap_geterr(pointer)) }
}

/// Checks that an expression compiles for a link type, without privileges or an interface.
public enum BPFValidator {
    /// The link types a capture here produces: Linux cooked (the `any` device) and Ethernet.
    public static let linuxCooked: Int32 = 113
    public static let ethernet: Int32 = 1

    public static func check(_ expression: String, linkType: Int32 = linuxCooked) throws(CaptureError) {
        guard let dead = pcap_open_dead(linkType, Int32(CaptureConfiguration.maximumSnapshotLength)) else {
            throw CaptureError(.failed, "pcap_open_dead failed")
        }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(.badFilter, "the filter '\(expression)' does not compile: \(String(cString: pcap_geterr(dead)))")
        }
        pcap_freecode(&program)
    }
}

func decodeCString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
