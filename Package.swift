// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "pcapctl",
    products: [
        .executable(name: "pcapctl", targets: ["pcapctl"]),
        // Libraries the fuzzing package (fuzz/) builds against.
        .library(name: "PcapCtlCLI", targets: ["PcapCtlCLI"]),
        .library(name: "PacketFilters", targets: ["PacketFilters"]),
        .library(name: "ControlPlane", targets: ["ControlPlane"]),
        .library(name: "OrderedJSON", targets: ["OrderedJSON"]),
        .library(name: "ARMRequests", targets: ["ARMRequests"]),
        .library(name: "PcapCtlServer", targets: ["PcapCtlServer"]),
        .executable(name: "pcapctld", targets: ["pcapctld"]),
    ],
    dependencies: [
        // Only the daemon (pcapctld) links these; the pcapctl CLI keeps its start-up cost.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
    ],
    targets: [
        /** libpcap, through pkg-config and Debian's libpcap-dev. Only CaptureEngine imports it. */
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        /** GNU-only libc pieces Swift's Glibc module does not show: POSIX_SPAWN_SETSID, closefrom, setns, eventfd. */
        .target(name: "CSystemShim", cSettings: [.define("_GNU_SOURCE")]),
        /** The one layer over libc: EINTR retried and errno kept with the failing call, owned descriptors, locks,
            the eventfd, /proc parsing, and the seam through which tests make a named call fail. */
        .target(name: "SystemCalls", dependencies: ["CSystemShim"]),
        /** The classic libpcap file format: header and record layout, torn-record trimming. Pure Swift. */
        .target(name: "PcapFormat"),
        /** The one JSON value type: ordered members, numbers kept as written; a strict reader and a writer. */
        .target(name: "OrderedJSON"),
        /** The JMESPath query language (jmespath.org) over OrderedJSON values: compile once, evaluate many. */
        .target(name: "JMESPath", dependencies: ["OrderedJSON"]),
        /** az's output formats (json, jsonc, yaml, yamlc, table, tsv) over OrderedJSON values. */
        .target(name: "AzOutput", dependencies: ["OrderedJSON"]),
        /** Azure's 5-tuple filter notation: parsing, validation and the exact BPF expression. Pure Swift. */
        .target(name: "PacketFilters", dependencies: ["OrderedJSON"]),
        /** The capture engine: the only code that touches libpcap. */
        .target(name: "CaptureEngine", dependencies: ["CPcap", "SystemCalls", "PcapFormat", "CSystemShim"]),
        /** The control plane: resource model, validation, versioned JSON store, storage layout, agent supervision. */
        .target(name: "ControlPlane", dependencies: ["PacketFilters", "PcapFormat", "SystemCalls", "CSystemShim"]),
        /** The capture agent: the background process that runs one instance's capture. The only code that joins
            ControlPlane and CaptureEngine; it also builds the operations a front end calls, wired to both. */
        .target(name: "CaptureAgent", dependencies: ["ControlPlane", "CaptureEngine", "CaptureOperations", "PcapFormat", "SystemCalls", "CSystemShim"]),
        /** The operations every front end calls (CLI, daemon, page): create, get, status, list, stop, delete,
            download, wait, compile-filters, with typed requests and results and one structured error. */
        .target(name: "CaptureOperations", dependencies: ["ControlPlane", "PacketFilters", "SystemCalls"]),
        /** The command line: option tables, parser, help, one file per verb (decode, call, render). */
        .target(name: "PcapCtlCLI", dependencies: ["CaptureOperations", "CaptureAgent", "ControlPlane", "PacketFilters", "SystemCalls", "OrderedJSON", "JMESPath", "AzOutput"]),
        .executableTarget(name: "pcapctl", dependencies: ["PcapCtlCLI"]),
        /** The daemon's pure request decoding, bytes to a request or ARM's error: paths, api-versions, create
            bodies, operation ids. Free of the server stack, so that fuzz/ can fuzz it. */
        .target(name: "ARMRequests", dependencies: [
            "ControlPlane", "OrderedJSON", "PacketFilters", .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        /** The ARM-shaped HTTPS daemon: configuration, OAuth tokens, routing, request bounds, LROs, ARM bodies. */
        .target(name: "PcapCtlServer", dependencies: [
            "ARMRequests", "CaptureOperations", "CaptureAgent", "ControlPlane", "OrderedJSON", "PacketFilters", "PcapFormat", "SystemCalls", "PortalAssets",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .executableTarget(name: "pcapctld", dependencies: ["PcapCtlServer"]),
        /** The portal page (HTML, CSS, JS as Swift constants): served by the daemon at `/`, on its API only. */
        .target(name: "PortalAssets"),

        /** Helpers shared by tests: an independent pcap decoder, a runner for the built binary. */
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PacketFiltersTests", dependencies: ["PacketFilters", "TestSupport", "CaptureEngine", "pcapctl"]),
        .testTarget(name: "CaptureEngineTests", dependencies: ["CaptureEngine", "PcapFormat", "SystemCalls", "TestSupport"]),
        .testTarget(name: "SystemCallsTests", dependencies: ["SystemCalls"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "CaptureOperations", "PcapFormat", "SystemCalls"]),
        .testTarget(name: "PcapCtlCLITests", dependencies: ["PcapCtlCLI", "ControlPlane", "OrderedJSON", "CaptureOperations", "TestSupport", "ARMRequests"]),
        .testTarget(name: "OrderedJSONTests", dependencies: ["OrderedJSON"]),
        .testTarget(name: "JMESPathTests", dependencies: ["JMESPath", "OrderedJSON", "TestSupport", "pcapctl"], exclude: ["Oracle", "Compliance"]),
        .testTarget(name: "AzOutputTests", dependencies: ["AzOutput", "JMESPath", "OrderedJSON", "TestSupport"], exclude: ["Oracle"]),
        .testTarget(name: "PcapCtlServerTests", dependencies: ["PcapCtlServer", "ARMRequests", "ControlPlane", "PcapFormat"]),
        .testTarget(name: "EndToEndTests", dependencies: ["pcapctl", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
