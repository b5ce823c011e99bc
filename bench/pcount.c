/*
 * pcount: the thinnest libpcap consumer we can write.  It opens IFACE with the
 * same snaplen, kernel buffer, read timeout and filter as the other capturers,
 * counts what libpcap delivers and prints its counts when stopped with
 * SIGINT/SIGTERM.  It writes no file, so it is the ceiling of what libpcap
 * itself delivers on this machine.
 *
 * usage: pcount -i IFACE [-s SNAPLEN] [-B BYTES] [-t TIMEOUT_MS] [-p] FILTER...
 * stderr: "listening on IFACE" once the handle is active and the filter set.
 * stdout on exit: captured=N bytes=N ps_recv=N ps_drop=N ps_ifdrop=N
 */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pcap_t *handle;
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
    if (handle) pcap_breakloop(handle); /* sets a flag and wakes poll(); signal safe on Linux */
}

struct counts {
    uint64_t packets;
    uint64_t bytes;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
    (void)bytes;
    struct counts *c = (struct counts *)user;
    c->packets++;
    c->bytes += h->caplen;
}

int main(int argc, char **argv) {
    const char *iface = NULL;
    int snaplen = 262144, timeout_ms = 100, promisc = 1, opt;
    long buffer = 0;
    while ((opt = getopt(argc, argv, "i:s:B:t:p")) != -1) {
        switch (opt) {
        case 'i': iface = optarg; break;
        case 's': snaplen = atoi(optarg); break;
        case 'B': buffer = atol(optarg); break;
        case 't': timeout_ms = atoi(optarg); break;
        case 'p': promisc = 0; break;
        default:
            fprintf(stderr, "usage: pcount -i IFACE [-s SNAP] [-B BYTES] [-t MS] [-p] FILTER...\n");
            return 2;
        }
    }
    if (!iface) {
        fprintf(stderr, "pcount: -i IFACE is required\n");
        return 2;
    }
    /* The filter is the remaining words joined with spaces, like tcpdump. */
    char filter[1024] = "";
    for (int i = optind; i < argc; i++) {
        if (strlen(filter) + strlen(argv[i]) + 2 >= sizeof filter) {
            fprintf(stderr, "pcount: filter too long\n");
            return 2;
        }
        if (i > optind) strcat(filter, " ");
        strcat(filter, argv[i]);
    }

    char err[PCAP_ERRBUF_SIZE];
    handle = pcap_create(iface, err);
    if (!handle) {
        fprintf(stderr, "pcount: %s\n", err);
        return 1;
    }
    pcap_set_snaplen(handle, snaplen);
    pcap_set_promisc(handle, promisc);
    pcap_set_timeout(handle, timeout_ms);
    if (buffer > 0) pcap_set_buffer_size(handle, (int)buffer);
    int rc = pcap_activate(handle);
    if (rc < 0) {
        fprintf(stderr, "pcount: activate: %s\n", pcap_geterr(handle));
        return 1;
    }
    struct bpf_program prog;
    if (pcap_compile(handle, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
        pcap_setfilter(handle, &prog) < 0) {
        fprintf(stderr, "pcount: filter: %s\n", pcap_geterr(handle));
        return 1;
    }
    pcap_freecode(&prog);

    /* No SA_RESTART: the signal must interrupt poll() inside pcap_dispatch. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    fprintf(stderr, "listening on %s, snaplen %d, buffer %ld, timeout %d ms, filter \"%s\"\n",
            iface, snaplen, buffer, timeout_ms, filter);

    struct counts c = {0, 0};
    while (!stop_requested) {
        int n = pcap_dispatch(handle, -1, on_packet, (u_char *)&c);
        if (n == PCAP_ERROR) {
            fprintf(stderr, "pcount: %s\n", pcap_geterr(handle));
            break;
        }
    }
    struct pcap_stat st;
    memset(&st, 0, sizeof st);
    if (pcap_stats(handle, &st) < 0) fprintf(stderr, "pcount: stats: %s\n", pcap_geterr(handle));
    printf("captured=%llu bytes=%llu ps_recv=%u ps_drop=%u ps_ifdrop=%u\n",
           (unsigned long long)c.packets, (unsigned long long)c.bytes, st.ps_recv, st.ps_drop, st.ps_ifdrop);
    fflush(stdout);
    pcap_close(handle);
    return 0;
}
