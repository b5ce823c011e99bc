// swift-tools-version: 6.0
// Coverage-guided fuzzing of pcapctl's parsers with libFuzzer. Built and run by `make fuzz`; not part
// of the main package so that ordinary builds never need the fuzzer runtime.
import PackageDescription

let package = Package(
    name: "pcapctl-fuzz",
    dependencies: [.package(name: "pcapctl", path: "..")],
    targets: [
        /** libFuzzer's driver, shared by the fuzz targets. */
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzArguments",
            dependencies: ["FuzzDriver", .product(name: "PcapCtlCLI", package: "pcapctl"), .product(name: "ControlPlane", package: "pcapctl")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "FuzzFilters",
            dependencies: ["FuzzDriver", .product(name: "PacketFilters", package: "pcapctl")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "FuzzRequests",
            dependencies: [
                "FuzzDriver", .product(name: "ARMRequests", package: "pcapctl"), .product(name: "ControlPlane", package: "pcapctl"),
                .product(name: "PacketFilters", package: "pcapctl"), .product(name: "OrderedJSON", package: "pcapctl"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ],
    swiftLanguageModes: [.v6]
)
