import PcapCtlServer

await Daemon.main()
