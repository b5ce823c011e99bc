import ControlPlane
import OrderedJSON
import PacketFilters

/// A PUT body as the clients send it (`PacketCapture`, fields under `properties`), checked field by
/// field. Each rule that fails names its field as `properties.X`, ARM's `target`.
public struct CreateBody: Sendable, Equatable {
    /// The target's resource id or bare name, as sent.
    public var target: String
    public var targetType: TargetType
    public var bytesToCapturePerPacket: UInt64
    /// nil when absent: the default applies, and a continuous capture refuses a given one.
    public var totalBytesPerSession: UInt64?
    public var timeLimitInSeconds: UInt64?
    public var storageId: String?
    public var storagePath: String?
    public var filePath: String?
    public var localPath: String?
    public var continuousCapture: Bool?
    public var fileCount: UInt64?
    public var fileSizeInBytes: UInt64?
    public var sessionTimeLimitInSeconds: UInt64?
    public var filters: [PacketCaptureFilter]
    public var include: [String]
    public var exclude: [String]

    public static func decode(_ bytes: [UInt8]) throws(ARMError) -> CreateBody {
        // JSON text is UTF-8 (RFC 8259); anything else is refused before it could become a name or path.
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ARMError.badRequest("InvalidRequestFormat", "The request body is not UTF-8 text.")
        }
        let document: JSONValue
        do { document = try JSONReader.parse(bytes) } catch {
            throw ARMError.badRequest("InvalidRequestFormat", "The request body is not valid JSON: \(error)")
        }
        guard case .object = document else {
            throw ARMError.badRequest("InvalidRequestFormat", "The request body must be a JSON object with a 'properties' object.")
        }
        guard let properties = members(document["properties"]) else {
            throw ARMError.invalidProperty("properties", "is required and must be an object")
        }
        let fields = Fields(values: properties, prefix: "properties")

        guard let target = try fields.string("target") else { throw ARMError.invalidProperty("properties.target", "is required") }
        let typeName = try fields.string("targetType") ?? CaptureFields.targetType.defaultValue
        let targetType: TargetType
        do throws(PcapCtlError) { targetType = TargetType(rawValue: try CaptureFields.targetType.match(typeName))! } catch {
            throw ARMError(error)
        }
        guard let storageValues = members(properties["storageLocation"]) else {
            throw ARMError.invalidProperty("properties.storageLocation", "is required and must be an object with filePath and/or storageId")
        }
        let storage = Fields(values: storageValues, prefix: "properties.storageLocation")
        var settings = Fields(values: [:], prefix: "properties.captureSettings")
        if let value = properties["captureSettings"], value != .null {
            guard let members = members(value) else { throw ARMError.invalidProperty("properties.captureSettings", "must be an object") }
            settings.values = members
        }

        var include: [String] = []
        var exclude: [String] = []
        if let scope = properties["scope"], scope != .null {
            guard let scopeValues = members(scope) else { throw ARMError.invalidProperty("properties.scope", "must be an object") }
            let scopeFields = Fields(values: scopeValues, prefix: "properties.scope")
            include = try scopeFields.strings("include")
            exclude = try scopeFields.strings("exclude")
        }

        return CreateBody(
            target: target,
            targetType: targetType,
            // Absent fields take Azure's defaults: az's network-watcher group sends only a few.
            bytesToCapturePerPacket: try fields.unsigned(CaptureFields.bytesToCapturePerPacket) ?? CaptureFields.bytesToCapturePerPacket.defaultValue,
            totalBytesPerSession: try fields.unsigned(CaptureFields.totalBytesPerSession),
            timeLimitInSeconds: try fields.unsigned(CaptureFields.timeLimitInSeconds),
            storageId: try storage.string("storageId"),
            storagePath: try storage.string("storagePath"),
            filePath: try storage.string("filePath"),
            localPath: try storage.string("localPath"),
            continuousCapture: try fields.optionalBool("continuousCapture"),
            fileCount: try settings.unsigned(CaptureFields.fileCount),
            fileSizeInBytes: try settings.unsigned(CaptureFields.fileSizeInBytes),
            sessionTimeLimitInSeconds: try settings.unsigned(CaptureFields.sessionTimeLimitInSeconds),
            filters: try filters(properties["filters"]),
            include: include,
            exclude: exclude)
    }

    /// The operations' create request for capture `name` in `location`, for a server answering for
    /// `subscription`: `properties.target` is a compute resource id there (its resource group kept) or a
    /// bare name (resource group `local`).
    public func request(name: String, location: String, subscription: String) throws(ARMError) -> CreateRequest {
        let (resourceGroup, reference) = try targetReference(subscription: subscription)
        return CreateRequest(
            name: name, location: location, resourceGroup: resourceGroup,
            vm: targetType == .azureVM ? reference : nil,
            target: targetType == .azureVMSS ? reference : nil,
            targetType: targetType,
            storageAccount: storageId, storagePath: storagePath, filePath: filePath,
            captureSize: bytesToCapturePerPacket, captureLimit: totalBytesPerSession,
            timeLimit: timeLimitInSeconds, continuousCapture: continuousCapture, localPath: localPath,
            fileCount: fileCount, fileSizeInBytes: fileSizeInBytes,
            sessionTimeLimitInSeconds: sessionTimeLimitInSeconds, filters: filters,
            include: include, exclude: exclude)
    }

    private func targetReference(subscription: String) throws(ARMError) -> (resourceGroup: String, reference: String) {
        guard target.hasPrefix("/") else { return ("local", target) }
        let parts = target.split(separator: "/").map(String.init)
        let kind = targetType == .azureVM ? "virtualMachines" : "virtualMachineScaleSets"
        guard parts.count == 8, parts[0].lowercased() == "subscriptions", parts[2].lowercased() == "resourcegroups",
            parts[4].lowercased() == "providers", parts[5].lowercased() == "microsoft.compute", parts[6].lowercased() == kind.lowercased()
        else {
            throw ARMError(.usage("target", "'\(Validation.printable(target))' is not a \(kind) resource id (/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/\(kind)/NAME), as targetType \(targetType.rawValue) needs"))
        }
        guard parts[1].lowercased() == subscription.lowercased() else {
            throw ARMError(.usage("target", "'\(Validation.printable(target))' is in subscription '\(Validation.printable(parts[1]))'; this server answers for '\(subscription)'"))
        }
        return (parts[3], parts[7])
    }

    /// The filters go through the same parser as the CLI's `--filters`.
    private static func filters(_ value: JSONValue?) throws(ARMError) -> [PacketCaptureFilter] {
        guard let value, value != .null else { return [] }
        guard case .array = value else { throw ARMError.invalidProperty("properties.filters", "must be an array of filter objects") }
        do { return try FilterList.parse(json: JSONWriter.compact.string(value)) } catch {
            throw ARMError.invalidProperty("properties.filters", error.message)
        }
    }

    /// An object's members by key, the last of a repeated key winning (as the clients' own readers do).
    private static func members(_ value: JSONValue?) -> [String: JSONValue]? {
        guard case .object(let members)? = value else { return nil }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Typed access to one object's members; absent and null both read as nil.
    private struct Fields {
        var values: [String: JSONValue]
        let prefix: String

        func path(_ key: String) -> String { "\(prefix).\(key)" }

        func string(_ key: String) throws(ARMError) -> String? {
            switch values[key] {
            case nil, .null?: return nil
            case .string(let text)?:
                guard !text.utf8.contains(0) else { throw ARMError.invalidProperty(path(key), "must not contain NUL characters") }
                return text
            case let other?: throw ARMError.invalidProperty(path(key), "must be a string, not \(other.kindDescription)")
            }
        }

        func optionalBool(_ key: String) throws(ARMError) -> Bool? {
            switch values[key] {
            case nil, .null?: return nil
            case .bool(let flag)?: return flag
            case let other?: throw ARMError.invalidProperty(path(key), "must be a boolean, not \(other.kindDescription)")
            }
        }

        /// A whole number in the field's range (the rule the CLI applies too), or nil when absent (the
        /// planner applies the default). The field's parameter is its path below `properties`.
        func unsigned(_ field: UnsignedField) throws(ARMError) -> UInt64? {
            let key = String(field.parameter.split(separator: ".").last!)
            let range = "a whole number from \(field.range.lowerBound) to \(field.range.upperBound)"
            switch values[key] {
            case nil, .null?: return nil
            case .number(let literal)? where JSONNumber.isInteger(literal):
                guard !literal.hasPrefix("-") || literal == "-0" else {
                    throw ARMError.invalidProperty(path(key), "\(literal) is out of range: use \(range)")
                }
                guard let number = UInt64(literal == "-0" ? "0" : literal) else {
                    throw ARMError.invalidProperty(path(key), "\(literal) is out of range: use \(range)")
                }
                do throws(PcapCtlError) { try field.check(number) } catch { throw ARMError(error) }
                return number
            case let other?: throw ARMError.invalidProperty(path(key), "must be \(range), not \(other.kindDescription)")
            }
        }

        func strings(_ key: String) throws(ARMError) -> [String] {
            switch values[key] {
            case nil, .null?: return []
            case .array(let items)?:
                var result: [String] = []
                for (index, item) in items.enumerated() {
                    guard case .string(let text) = item else {
                        throw ARMError.invalidProperty("\(path(key))[\(index)]", "must be a string, not \(item.kindDescription)")
                    }
                    result.append(text)
                }
                return result
            case let other?: throw ARMError.invalidProperty(path(key), "must be an array of strings, not \(other.kindDescription)")
            }
        }
    }
}
