import ControlPlane

/// How an error reads on the command line: Azure's code in front where az would print it (`(Code)`), then
/// the flag the request field came from, then the sentence: `ResourceNotFound: --vm: VM 'x' not found ...`.
enum CommandLineError {
    /// The flag each request field is given with. A field missing here is shown as named (an environment
    /// variable, say).
    static let flags: [String: String] = [
        "name": "--name", "location": "--location", "resourceGroup": "--resource-group", "targetType": "--target-type",
        "storageLocation": "--file-path/--storage-account", "storageLocation.filePath": "--file-path",
        "storageLocation.storageId": "--storage-account", "storageLocation.storagePath": "--storage-path",
        "bytesToCapturePerPacket": "--capture-size", "totalBytesPerSession": "--capture-limit",
        "timeLimitInSeconds": "--time-limit", "filters": "--filters", "scope": "--include/--exclude",
        "scope.include": "--include", "scope.exclude": "--exclude", "interface": "--interface",
        "bufferSize": "--buffer-size", "file": "--file", "fileName": "--file-name",
        "storageLocation.localPath": "--local-path", "captureSettings": "--capture-settings",
        "captureSettings.fileCount": "--capture-settings fileCount", "captureSettings.fileSizeInBytes": "--capture-settings fileSizeInBytes",
        "captureSettings.sessionTimeLimitInSeconds": "--capture-settings sessionTimeLimitInSeconds",
    ]

    /// Usage refusals with a code of their own (not the one every refused field carries), which Azure
    /// PowerShell prints in front of the message: the command line shows it too.
    static let codedRefusals: Set<String> = ["PacketCaptureIsMissingStorageIdAndLocalPath"]

    static func line(for error: PcapCtlError, options: ParsedOptions?) -> String {
        if let verbatim = error.commandLineMessage { return verbatim }
        var line = ""
        if let code = error.code, (error.kind != .usage && error.kind != .failure) || codedRefusals.contains(code) { line += "\(code): " }
        if let parameter = error.parameter { line += "\(flag(for: parameter, options: options)): " }
        return line + error.message
    }

    /// `target` comes from `--vm` or `--target`: the one the user gave (`--vm` when neither was).
    private static func flag(for parameter: String, options: ParsedOptions?) -> String {
        if parameter == "target" {
            return options?.values["target"] != nil && options?.values["vm"] == nil ? "--target" : "--vm"
        }
        return flags[parameter] ?? parameter
    }
}
