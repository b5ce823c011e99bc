/*
 * mkpcap: write a classic pcap file of N identical-size Ethernet/IPv4/UDP
 * frames for the pcapctl benchmark.
 *
 * Frame size is the captured length (Ethernet header + IP packet, no FCS),
 * i.e. what capinfos and tcpdump report as the packet length.  Checksums are
 * valid so that the receiving stack treats the frames like real traffic.
 *
 * usage: mkpcap OUT COUNT FRAME_SIZE SRC_MAC DST_MAC SRC_IP DST_IP DST_PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14
#define IP_HLEN 20
#define UDP_HLEN 8
#define MIN_FRAME (ETH_HLEN + IP_HLEN + UDP_HLEN)
#define MAX_FRAME 1514 /* 1500-byte MTU on the veth pair */

static int parse_mac(const char *s, uint8_t mac[6]) {
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 0xff) return -1;
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc) {
    for (size_t i = 0; i + 1 < n; i += 2) acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) acc += (uint32_t)(p[n - 1] << 8);
    return acc;
}

static uint16_t fold(uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void put_le32(FILE *f, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static void put_le16(FILE *f, uint16_t v) {
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    fwrite(b, 1, 2, f);
}

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: %s OUT COUNT FRAME_SIZE SRC_MAC DST_MAC SRC_IP DST_IP DST_PORT\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    long count = strtol(argv[2], NULL, 10);
    long size = strtol(argv[3], NULL, 10);
    uint8_t smac[6], dmac[6];
    struct in_addr sip, dip;
    long dport = strtol(argv[8], NULL, 10);
    if (count < 1 || count > 10000000 || size < MIN_FRAME || size > MAX_FRAME ||
        parse_mac(argv[4], smac) || parse_mac(argv[5], dmac) ||
        inet_pton(AF_INET, argv[6], &sip) != 1 || inet_pton(AF_INET, argv[7], &dip) != 1 ||
        dport < 1 || dport > 65535) {
        fprintf(stderr, "mkpcap: bad arguments (frame size must be %d..%d)\n", MIN_FRAME, MAX_FRAME);
        return 2;
    }

    FILE *f = fopen(out, "wb");
    if (!f) {
        fprintf(stderr, "mkpcap: %s: %s\n", out, strerror(errno));
        return 1;
    }
    /* pcap global header, little endian, microsecond timestamps, DLT_EN10MB */
    put_le32(f, 0xa1b2c3d4);
    put_le16(f, 2);
    put_le16(f, 4);
    put_le32(f, 0);
    put_le32(f, 0);
    put_le32(f, 262144);
    put_le32(f, 1);

    uint8_t frame[MAX_FRAME];
    for (long i = 0; i < count; i++) {
        memset(frame, 0, sizeof frame);
        uint8_t *eth = frame, *ip = frame + ETH_HLEN, *udp = ip + IP_HLEN;
        uint16_t ip_len = (uint16_t)(size - ETH_HLEN);
        uint16_t udp_len = (uint16_t)(ip_len - IP_HLEN);
        /* Spread source ports so the flow looks like many senders; all go to DST_PORT. */
        uint16_t sport = (uint16_t)(10000 + (i % 1024));

        memcpy(eth, dmac, 6);
        memcpy(eth + 6, smac, 6);
        put16(eth + 12, 0x0800);

        ip[0] = 0x45;
        put16(ip + 2, ip_len);
        put16(ip + 4, (uint16_t)i);
        ip[8] = 64;
        ip[9] = 17;
        memcpy(ip + 12, &sip, 4);
        memcpy(ip + 16, &dip, 4);
        put16(ip + 10, fold(sum16(ip, IP_HLEN, 0)));

        put16(udp, sport);
        put16(udp + 2, (uint16_t)dport);
        put16(udp + 4, udp_len);
        for (long j = UDP_HLEN; j < udp_len; j++) udp[j] = (uint8_t)(j + i);
        uint32_t acc = sum16(ip + 12, 8, 0) + 17 + udp_len;
        uint16_t ck = fold(sum16(udp, udp_len, acc));
        put16(udp + 6, ck ? ck : 0xffff);

        put_le32(f, (uint32_t)(i / 1000000));
        put_le32(f, (uint32_t)(i % 1000000));
        put_le32(f, (uint32_t)size);
        put_le32(f, (uint32_t)size);
        fwrite(frame, 1, (size_t)size, f);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "mkpcap: %s: %s\n", out, strerror(errno));
        return 1;
    }
    return 0;
}
