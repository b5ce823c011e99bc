/*
 * What one file per MiB costs the process that writes them, without libpcap
 * or pcapctl: TOTAL_MIB of 64 KiB writes into DIR as
 *   single   one file (its deletion timed apart, as bench/ring.sh does),
 *   ring     files of FILE_MIB, the oldest deleted once there are FILES,
 *   recycle  the same ring, but the oldest file is renamed to the next name
 *            and overwritten in place (no inode or page freed or allocated
 *            once the ring is full), checked first to have one link and no
 *            other opener (a write lease), as a capture would have to.
 * Prints the user and system CPU milliseconds of the writing (getrusage).
 *
 * usage: ringfiles DIR single|ring|recycle TOTAL_MIB [FILE_MIB FILES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CHUNK = 64 << 10 };
static char chunk[CHUNK];

static double cpu_ms(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void fill(int fd, long bytes) {
    for (long done = 0; done < bytes; done += CHUNK)
        if (write(fd, chunk, CHUNK) != CHUNK) die("write");
}

static void name_of(char *out, size_t size, const char *dir, long n) { snprintf(out, size, "%s/f_%06ld.cap", dir, n); }

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ringfiles DIR single|ring|recycle TOTAL_MIB [FILE_MIB FILES]\n");
        return 2;
    }
    const char *dir = argv[1], *mode = argv[2];
    long total = atol(argv[3]) << 20, file = (argc > 4 ? atol(argv[4]) : 1) << 20, files = argc > 5 ? atol(argv[5]) : 20;
    memset(chunk, 0xab, sizeof chunk);
    char path[4096], old[4096];
    double t0 = cpu_ms();
    if (strcmp(mode, "single") == 0) {
        name_of(path, sizeof path, dir, 0);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) die("open");
        fill(fd, total);
        close(fd);
        double t1 = cpu_ms();
        unlink(path);
        printf("%s write_ms %.1f delete_ms %.1f\n", mode, t1 - t0, cpu_ms() - t1);
        return 0;
    }
    int recycle = strcmp(mode, "recycle") == 0, recycled = 0;
    long count = total / file;
    for (long n = 0; n < count; n++) {
        name_of(path, sizeof path, dir, n);
        int fd = -1;
        if (n >= files) {
            name_of(old, sizeof old, dir, n - files);
            if (recycle) {
                fd = open(old, O_WRONLY);
                struct stat st;
                if (fd >= 0 && fstat(fd, &st) == 0 && st.st_nlink == 1 && fcntl(fd, F_SETLEASE, F_WRLCK) == 0) {
                    fcntl(fd, F_SETLEASE, F_UNLCK);
                    if (rename(old, path) != 0) die("rename");
                    recycled++;
                } else {
                    if (fd >= 0) close(fd);
                    fd = -1;
                    unlink(old);
                }
            } else {
                unlink(old);
            }
        }
        if (fd < 0) fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) die("open");
        fill(fd, file);
        if (recycle && ftruncate(fd, file) != 0) die("ftruncate");
        close(fd);
    }
    double t1 = cpu_ms();
    for (long n = count > files ? count - files : 0; n < count; n++) {
        name_of(path, sizeof path, dir, n);
        unlink(path);
    }
    printf("%s write_ms %.1f delete_ms %.1f recycled %d\n", mode, t1 - t0, cpu_ms() - t1, recycled);
    return 0;
}
