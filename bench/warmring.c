/*
 * warmring: build and free a TPACKET_V3 ring of N MiB, as libpcap builds one (256 KiB blocks), and exit.
 *
 * On a VM with free page reporting (virtio_balloon) memory that stays free for a few seconds is handed back
 * to the host, and the next ring built from it takes a host page fault for each page the kernel zeroes: a
 * 32 MiB ring then costs 60-90 ms of start-up instead of 5-10. Whether a capturer's ring lands on such pages
 * depended on what ran before it. Run just before each capturer starts, this leaves freshly zeroed blocks of
 * the ring's size at the head of the kernel's free lists, so every capturer's ring starts alike.
 *
 * usage: warmring MIB   (needs CAP_NET_RAW; sends and receives nothing: the socket is never bound)
 */
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2 || atoi(argv[1]) <= 0) {
        fprintf(stderr, "usage: warmring MIB\n");
        return 2;
    }
    const unsigned block = 256 * 1024;
    int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: receives nothing */
    if (fd < 0) {
        perror("warmring: socket");
        return 1;
    }
    int version = TPACKET_V3;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
        perror("warmring: PACKET_VERSION");
        return 1;
    }
    struct tpacket_req3 req;
    memset(&req, 0, sizeof req);
    req.tp_block_size = block;
    req.tp_block_nr = (unsigned)atoi(argv[1]) * (1024 * 1024 / block);
    req.tp_frame_size = block;
    req.tp_frame_nr = req.tp_block_nr;
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
        perror("warmring: PACKET_RX_RING");
        return 1;
    }
    close(fd);
    return 0;
}
