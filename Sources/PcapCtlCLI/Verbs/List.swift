import CaptureOperations
import ControlPlane

/// `list`: every capture in a location (all locations without -l), whatever its status.
enum ListVerb {
    static let location = OptionSpec("location", short: "l", .value(metavar: "LOCATION"), help: "Only captures in this location.", default: "all locations")
    static let status = OptionSpec("status", .flag, help: "Add each capture's location and status (pcapctl's view; az's columns stay as they are without it).")

    /// A capture with its location and status beside the resource's own fields.
    struct StatusEntry: Encodable {
        var resource: PacketCaptureResource
        var location: String
        var status: CaptureStatusReport

        enum CodingKeys: String, CodingKey { case location, packetCaptureStatus, stopReason, status }

        func encode(to encoder: any Encoder) throws {
            try resource.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(location, forKey: .location)
            try container.encode(status.packetCaptureStatus, forKey: .packetCaptureStatus)
            try container.encode(status.stopReason, forKey: .stopReason)
            try container.encode(status, forKey: .status)
        }
    }

    /// The table `--status` shows; tsv adds these fields to az's.
    static let statusColumns = ["name", "location", "packetCaptureStatus", "stopReason", "targetType", "provisioningState"]

    static let verb = Verb(
        name: "list",
        abstract: "List all packet capture sessions within a location.",
        discussion: "A capture whose record cannot be read is reported on stderr, one line each, and the others are listed (exit 0).",
        options: [location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, status],
        examples: ["pcapctl list -l local", "pcapctl list -o table", "pcapctl list --status -o table"],
        run: { context throws(PcapCtlError) in
            let given = context.options.has(location) || context.options.has(CommonOptions.networkWatcherName)
            let location = given ? try context.location() : nil
            let withStatus = context.options.has(status)
            let listing = try context.operations.list(location: location, includeStatus: withStatus)
            for bad in listing.unreadable {
                context.diagnostics.notice("warning: skipped capture '\(bad.name)' in location '\(bad.location)': \(bad.error.message)")
            }
            if withStatus {
                try context.output.print(listing.captures.map { StatusEntry(resource: $0.resource, location: $0.capture.location, status: $0.status!) }, view: .resource.table(statusColumns))
            } else {
                try context.output.print(listing.captures.map(\.resource), view: .resource)
            }
            return ExitCode.success
        })
}
