import Dispatch
import PcapCtlServer

// A capture agent runs synchronously, before any concurrency runtime starts: it relies on the stop
// signals it was spawned with blocked, which an async main would unblock on this thread.
Daemon.runAgentIfRequested()
Task { await Daemon.main() }
dispatchMain()
