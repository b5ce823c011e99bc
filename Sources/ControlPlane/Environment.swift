import Glibc

/// Where pcapctl keeps its state and writes its files, and the identity its resource ids carry.
/// Read once from the environment (and global flags) per invocation, then passed down explicitly.
public struct PcapCtlEnvironment: Sendable, Equatable {
    /// The state directory: resources, agent status, growing capture files.
    public var home: String
    /// Where storage accounts live: one directory per account.
    public var storageRoot: String
    /// Local `--file-path` values must lie beneath this directory (Azure's rule for Linux VMs).
    public var capturesRoot: String
    /// The subscription id that resource ids carry.
    public var subscription: String
    /// The location verbs use without `-l`: az derives a VM's region at create, so a script's later
    /// `-l westus` finds the capture when PCAPCTL_LOCATION=westus.
    public var defaultLocation: String
    /// Parallel sessions allowed per location: Azure's 10,000 per region, or fewer if an operator says so.
    public var maximumActiveCaptures: Int

    public static let defaultHome = "/var/lib/pcapctl"
    public static let defaultCapturesRoot = "/var/captures"
    public static let defaultSubscription = "00000000-0000-0000-0000-000000000000"

    public static let azureSessionLimit = 10_000

    public init(home: String, storageRoot: String? = nil, capturesRoot: String, subscription: String, defaultLocation: String = "local", maximumActiveCaptures: Int = azureSessionLimit) {
        self.maximumActiveCaptures = maximumActiveCaptures
        self.home = home
        self.storageRoot = storageRoot ?? "\(home)/storage"
        self.capturesRoot = capturesRoot
        self.subscription = subscription
        self.defaultLocation = defaultLocation
    }

    /// Reads PCAPCTL_HOME, PCAPCTL_STORAGE_ROOT, PCAPCTL_CAPTURES_ROOT, PCAPCTL_SUBSCRIPTION, PCAPCTL_LOCATION and PCAPCTL_MAX_SESSIONS.
    public static func fromProcessEnvironment() -> PcapCtlEnvironment {
        func variable(_ name: String) -> String? {
            guard let value = getenv(name) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        return PcapCtlEnvironment(
            home: variable("PCAPCTL_HOME") ?? defaultHome,
            storageRoot: variable("PCAPCTL_STORAGE_ROOT"),
            capturesRoot: variable("PCAPCTL_CAPTURES_ROOT") ?? defaultCapturesRoot,
            subscription: variable("PCAPCTL_SUBSCRIPTION") ?? defaultSubscription,
            defaultLocation: variable("PCAPCTL_LOCATION") ?? "local",
            maximumActiveCaptures: variable("PCAPCTL_MAX_SESSIONS").map { Int($0) ?? -1 } ?? azureSessionLimit)
    }

    /// Checks the directories are absolute and normal, so every path derived from them is too.
    public func validate() throws(PcapCtlError) {
        for (name, path) in [("PCAPCTL_HOME", home), ("PCAPCTL_STORAGE_ROOT", storageRoot), ("PCAPCTL_CAPTURES_ROOT", capturesRoot)] {
            guard path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
                throw .usage(name, "'\(path)' must be an absolute path without '.' or '..' components")
            }
        }
        do { _ = try Validation.normalizeLocation(defaultLocation) } catch {
            throw .usage("PCAPCTL_LOCATION", "'\(Validation.printable(defaultLocation))' is not a valid location: use 1-64 letters, digits, '-' or '_'")
        }
        guard (1...Self.azureSessionLimit).contains(maximumActiveCaptures) else {
            throw .usage("PCAPCTL_MAX_SESSIONS", "must be a whole number from 1 to \(Self.azureSessionLimit)")
        }
        guard Validation.isResourceName(subscription) else {
            throw .usage("PCAPCTL_SUBSCRIPTION", "'\(subscription)' must be letters, digits, '-', '_' or '.'")
        }
    }
}
