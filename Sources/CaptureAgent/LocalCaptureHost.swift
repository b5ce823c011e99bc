import CaptureEngine
import CaptureOperations
import ControlPlane
import Glibc
import SystemCalls

/// The operations wired to this host: filters checked by libpcap, agents started by re-executing a binary
/// that runs `AgentCommandLine.main` (the CLI and the daemon both do). Every front end builds its
/// operations here.
public enum LocalCaptureHost {
    public static func operations(
        environment: PcapCtlEnvironment, agentExecutable: String = AgentSupervisor.currentExecutable(),
        events: any OperationEventSink = DiscardedEvents()
    ) -> PacketCaptureOperations {
        PacketCaptureOperations(
            environment: environment, filterValidator: LibpcapFilterValidator(),
            launcher: ExecutableAgentLauncher(executable: agentExecutable), events: events)
    }
}

/// libpcap compiles the expression for Linux cooked capture, as the agent will.
struct LibpcapFilterValidator: FilterValidator {
    func refusal(of expression: String) -> String? {
        do throws(CaptureError) {
            try BPFValidator.check(expression)
            return nil
        } catch {
            return error.message
        }
    }
}

/// Starts an agent by re-executing `executable` with the agent's command line.
struct ExecutableAgentLauncher: AgentLauncher {
    let executable: String

    func launch(_ assignment: AgentAssignment, paths: InstancePaths, lock: FileLock, environment: PcapCtlEnvironment) throws(PcapCtlError) -> Int32 {
        try AgentSupervisor.spawn(
            executable: executable, arguments: AgentCommandLine.arguments(for: assignment),
            environment: Self.agentEnvironment(environment), paths: paths, lock: lock)
    }

    /// The variables an agent needs to find the same state, whatever the caller's environment held.
    static func agentEnvironment(_ environment: PcapCtlEnvironment) -> [String] {
        var variables: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("PCAPCTL_") { variables.append(text) }
            cursor += 1
        }
        return variables + [
            "PCAPCTL_HOME=\(environment.home)", "PCAPCTL_STORAGE_ROOT=\(environment.storageRoot)",
            "PCAPCTL_CAPTURES_ROOT=\(environment.capturesRoot)", "PCAPCTL_SUBSCRIPTION=\(environment.subscription)",
        ]
    }
}

/// The agent's command line, written and read here only: `__agent LOCATION NAME INSTANCE TOKEN`.
public enum AgentCommandLine {
    /// The first argument that makes a pcapctl binary run as an agent. Not a user command.
    public static let verb = "__agent"

    static func arguments(for assignment: AgentAssignment) -> [String] {
        [verb, assignment.location, assignment.name, assignment.instanceKey, assignment.launchToken]
    }

    /// Runs the agent for `arguments` (the process's arguments after the executable) and returns its exit
    /// code; a front end calls this when its first argument is `verb`.
    public static func main(_ arguments: [String], environment: PcapCtlEnvironment) -> Int32 {
        guard arguments.count == 5, arguments[0] == verb else {
            try? StandardStream.write("pcapctl: error: \(verb) is started by create, not by hand\n", to: StandardStream.error)
            return ExitCode.usage
        }
        let assignment = AgentAssignment(location: arguments[1], name: arguments[2], instanceKey: arguments[3], launchToken: arguments[4])
        do throws(PcapCtlError) {
            try environment.validate()
            return try CaptureAgent(store: CaptureStore(environment: environment), assignment: assignment).run()
        } catch {
            try? StandardStream.write("pcapctl: error: \(error.message)\n", to: StandardStream.error)
            return error.exitCode
        }
    }
}
