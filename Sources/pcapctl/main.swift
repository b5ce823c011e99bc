import PcapCtlCLI

PcapCtl.main()
