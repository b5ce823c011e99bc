import CaptureAgent
import ControlPlane
import SystemCalls
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTPTypes
import NIOPosix
import NIOSSL

/// `pcapctld`: reads its configuration, then serves ARM until SIGTERM or SIGINT.
public enum Daemon {
    public static let version = "0.1.0"

    public static let usage = """
        usage: pcapctld [--config FILE] [--listen HOST:PORT | --listen unix:PATH] [--certificate PEM --key PEM]
                        [--tenant ID] [--subscription ID] [--client ID:SECRET[:reader|contributor]]...
                        [--location NAME]... [--token-lifetime SECONDS] [--plain-http]
               pcapctld --generate-certificate --certificate PEM --key PEM [--host NAME]...
               pcapctld --hash-secret < secret

        Serves pcapctl's packet captures over HTTPS in Azure Resource Manager's shape, for az and the
        Azure SDK. The configuration file (default \(ServerConfiguration.defaultPath), read when it exists
        and --config is not given) is documented in docs/server.md; options override it, and each
        --client adds a client with access to every location. State, captures root and storage root come
        from the PCAPCTL_* environment, as for pcapctl.

        """

    /// Capture agents are this executable re-run with the agent's command line, as for pcapctl; call
    /// this first, synchronously.
    public static func runAgentIfRequested() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == AgentCommandLine.verb {
            signal(SIGPIPE, SIG_IGN)
            exit(AgentCommandLine.main(arguments, environment: PcapCtlEnvironment.fromProcessEnvironment()))
        }
    }

    public static func main() async -> Never {
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        do throws(PcapCtlError) {
            try await run(arguments)
            exit(ExitCode.success)
        } catch {
            let line = error.message.split(whereSeparator: \.isNewline).joined(separator: " ")
            write("pcapctld: error: \(line)\n", to: STDERR_FILENO)
            exit(error.exitCode)
        }
    }

    static func run(_ arguments: [String]) async throws(PcapCtlError) {
        let options = try DaemonOptions.parse(arguments)
        switch options.mode {
        case .help:
            write(usage, to: STDOUT_FILENO)
        case .version:
            print("pcapctld \(version)")
        case .hashSecret:
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw .usage("--hash-secret: give the secret on standard input")
            }
            print(SecretHash.hashing(line))
        case .generateCertificate(let hosts):
            guard let certificate = options.configuration.certificate, let key = options.configuration.key else {
                throw .usage("--generate-certificate: give --certificate PATH and --key PATH to write")
            }
            try LabCertificate.generate(certificatePath: certificate, keyPath: key, hosts: hosts.isEmpty ? ["localhost", "127.0.0.1", "::1", MachineResolver.currentHostName()] : hosts)
            write("pcapctld: wrote \(certificate) and \(key)\n", to: STDERR_FILENO)
        case .serve:
            try await serve(options.configuration)
        }
    }

    static func serve(_ given: ServerConfiguration) async throws(PcapCtlError) {
        var environment = PcapCtlEnvironment.fromProcessEnvironment()
        var configuration = given
        if configuration.locations.isEmpty { configuration.locations = [environment.defaultLocation] }
        configuration = try configuration.validated()
        environment.subscription = configuration.subscription!
        try environment.validate()

        let signingKey = try TokenIssuer.signingKey(path: configuration.tokenKeyFile ?? "\(environment.home)/server/token.key")
        let tokens = await TokenIssuer(signingKey: signingKey, tenant: configuration.tenant!, lifetime: configuration.tokenLifetimeSeconds, clients: configuration.clients)
        let pool = NIOThreadPool(numberOfThreads: blockingThreads)
        pool.start()
        let service = ARMService(
            configuration: configuration, backend: CaptureBackend(environment: environment),
            tokens: tokens, operations: LongRunningOperations(), pool: pool)

        var logger = Logger(label: "pcapctld")
        logger.logLevel = .notice
        let (address, scheme) = try bindAddress(configuration)
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestGuard(deadline: .seconds(RequestLimits.requestSeconds))],
            idleTimeout: .seconds(RequestLimits.idleSeconds),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: RequestLimits.headerBytes, maxHeaderListSize: RequestLimits.headerBytes,
                maxHeaderFieldCount: RequestLimits.headerFields))
        let server: HTTPServerBuilder
        if scheme == "https" {
            server = try tls(configuration, base: .http1(configuration: http))
        } else {
            server = .http1(configuration: http)
        }
        let listen = configuration.listen
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await service.respond(to: request) },
            server: server,
            configuration: ApplicationConfiguration(
                address: address, serverName: nil, backlog: 256, reuseAddress: true,
                availableConnectionsDelegate: MaximumAvailableConnections(RequestLimits.connections)),
            onServerRunning: { channel in
                let shown: String
                if listen.hasPrefix("unix:") {
                    shown = listen
                } else {
                    let host = channel.localAddress?.ipAddress ?? "?"
                    shown = "\(host.contains(":") ? "[\(host)]" : host):\(channel.localAddress?.port ?? 0)"
                }
                write("listening on \(scheme)://\(shown)\n", to: STDERR_FILENO)
            },
            logger: logger)
        do {
            try await application.runService()
        } catch {
            throw .failure("the server stopped: \(error)")
        }
        try? await pool.shutdownGracefully()
        write("pcapctld: stopped\n", to: STDERR_FILENO)
    }

    /// Writes all of `text` with write(2): one line is never split between threads.
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Threads for the blocking calls (store, agent start, stop waits); a stop waits seconds, so more
    /// than cores.
    static let blockingThreads = 16

    static func bindAddress(_ configuration: ServerConfiguration) throws(PcapCtlError) -> (BindAddress, String) {
        if configuration.listen.hasPrefix("unix:") {
            return (.unixDomainSocket(path: String(configuration.listen.dropFirst(5))), "http")
        }
        guard let colon = configuration.listen.lastIndex(of: ":"), let port = Int(configuration.listen[configuration.listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw .usage("--listen: '\(Validation.printable(configuration.listen))' must be HOST:PORT or unix:PATH")
        }
        var host = String(configuration.listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .usage("--listen: '\(Validation.printable(configuration.listen))' needs a host, e.g. 0.0.0.0:8443") }
        return (.hostname(host, port: port), configuration.plainHTTP ? "http" : "https")
    }

    static func tls(_ configuration: ServerConfiguration, base: HTTPServerBuilder) throws(PcapCtlError) -> HTTPServerBuilder {
        let certificatePath = configuration.certificate!, keyPath = configuration.key!
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return try .tls(base, tlsConfiguration: tls)
        } catch {
            throw .usage("--certificate/--key: cannot load '\(Validation.printable(certificatePath))' and '\(Validation.printable(keyPath))': \(error)")
        }
    }
}

/// The command line: every option once, in one table-free parser (the CLI's style, no argument-parser).
struct DaemonOptions {
    enum Mode: Equatable {
        case serve, help, version, hashSecret
        case generateCertificate(hosts: [String])
    }

    var mode = Mode.serve
    var configuration = ServerConfiguration()

    static func parse(_ arguments: [String]) throws(PcapCtlError) -> DaemonOptions {
        var options = DaemonOptions()
        var values: [(String, String)] = []
        var flags: Set<String> = []
        let valued: Set<String> = ["--config", "--listen", "--certificate", "--key", "--tenant", "--subscription", "--client", "--location", "--token-lifetime", "--host"]
        let switches: Set<String> = ["--help", "-h", "--version", "--hash-secret", "--generate-certificate", "--plain-http"]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            if valued.contains(name) {
                guard let value = inline ?? (index + 1 < arguments.count ? arguments[index + 1] : nil) else {
                    throw .usage("\(name): expected a value")
                }
                if inline == nil { index += 1 }
                values.append((name, value))
            } else if switches.contains(name), inline == nil {
                flags.insert(name)
            } else {
                throw .usage("unrecognized argument '\(Validation.printable(argument))'; see 'pcapctld --help'")
            }
            index += 1
        }
        if flags.contains("--help") || flags.contains("-h") { options.mode = .help; return options }
        if flags.contains("--version") { options.mode = .version; return options }
        if flags.contains("--hash-secret") { options.mode = .hashSecret; return options }
        func all(_ name: String) -> [String] { values.filter { $0.0 == name }.map(\.1) }
        func last(_ name: String) -> String? { all(name).last }
        if flags.contains("--generate-certificate") {
            options.mode = .generateCertificate(hosts: all("--host"))
            options.configuration.certificate = last("--certificate")
            options.configuration.key = last("--key")
            return options
        }
        guard all("--host").isEmpty else { throw .usage("--host: only with --generate-certificate") }

        if let path = last("--config") {
            options.configuration = try ServerConfiguration.load(path: path)
        } else if FileSystem.exists(ServerConfiguration.defaultPath) {
            options.configuration = try ServerConfiguration.load(path: ServerConfiguration.defaultPath)
        }
        var configuration = options.configuration
        if let value = last("--listen") { configuration.listen = value }
        if let value = last("--certificate") { configuration.certificate = value }
        if let value = last("--key") { configuration.key = value }
        if let value = last("--tenant") { configuration.tenant = value }
        if let value = last("--subscription") { configuration.subscription = value }
        if flags.contains("--plain-http") { configuration.plainHTTP = true }
        if let value = last("--token-lifetime") {
            guard let seconds = Int(value) else { throw .usage("--token-lifetime: '\(Validation.printable(value))' must be a whole number of seconds") }
            configuration.tokenLifetimeSeconds = seconds
        }
        if !all("--location").isEmpty { configuration.locations = all("--location") }
        for client in all("--client") { configuration.clients.append(try ServerConfiguration.parseClient(client)) }
        options.configuration = configuration
        return options
    }
}
