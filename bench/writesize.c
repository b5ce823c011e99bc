/*
 * writesize: what the size of each write(2) costs a capture writer.
 *
 * Copies records of RECORD bytes out of a 32 MiB "ring" (as a capturer copies
 * packets out of its TPACKET_V3 ring) into a buffer of BUF bytes, and writes
 * the buffer to a fresh file in DIR whenever the next record would not fit,
 * until TOTAL_MIB have been written; prints the user and system CPU of that
 * (getrusage), then the file is removed.  The buffer sizes given are run in
 * turn, ROUNDS times, alternating, so a noisy machine hits them all alike.
 *
 * usage: writesize DIR RECORD TOTAL_MIB ROUNDS BUF...
 * stdout: one line per run: buf=N user_ms=N sys_ms=N
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double cpu_ms(const struct timeval *t) { return t->tv_sec * 1e3 + t->tv_usec / 1e3; }

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: writesize DIR RECORD TOTAL_MIB ROUNDS BUF...\n");
        return 2;
    }
    const char *dir = argv[1];
    size_t record = strtoul(argv[2], NULL, 10);
    size_t total = strtoul(argv[3], NULL, 10) << 20;
    int rounds = atoi(argv[4]);
    size_t ring_size = 32u << 20;
    char *ring = malloc(ring_size);
    memset(ring, 0x41, ring_size);
    for (int round = 0; round < rounds; round++) {
        for (int b = 5; b < argc; b++) {
            size_t cap = strtoul(argv[b], NULL, 10);
            char *buf = malloc(cap);
            memset(buf, 0, cap);
            char path[4096];
            snprintf(path, sizeof path, "%s/writesize-%d.tmp", dir, getpid());
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0) {
                perror(path);
                return 1;
            }
            struct rusage r0, r1;
            getrusage(RUSAGE_SELF, &r0);
            size_t used = 0, written = 0, at = 0;
            while (written < total) {
                if (used + record > cap) {
                    if (write(fd, buf, used) != (ssize_t)used) {
                        perror("write");
                        return 1;
                    }
                    written += used;
                    used = 0;
                }
                if (at + record > ring_size) at = 0;
                memcpy(buf + used, ring + at, record);
                at += record + 48; /* ring slots carry a header too */
                used += record;
            }
            getrusage(RUSAGE_SELF, &r1);
            printf("buf=%zu user_ms=%.1f sys_ms=%.1f\n", cap, cpu_ms(&r1.ru_utime) - cpu_ms(&r0.ru_utime),
                   cpu_ms(&r1.ru_stime) - cpu_ms(&r0.ru_stime));
            fflush(stdout);
            close(fd);
            unlink(path);
            free(buf);
        }
    }
    return 0;
}
