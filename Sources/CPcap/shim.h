#ifndef PCAPCTL_CPCAP_SHIM_H
#define PCAPCTL_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
