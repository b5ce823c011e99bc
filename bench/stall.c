/*
 * stall: a noisy neighbour for the "stalled capturer" runs.
 *
 *   stall CPU BUSY_MS PERIOD_MS SECONDS
 *
 * Pins itself to CPU and, at real-time priority (SCHED_FIFO 1, so it
 * preempts any normal task there at once), spins for BUSY_MS out of every
 * PERIOD_MS, for at most SECONDS.  A capturer pinned to the same CPU then
 * cannot run for BUSY_MS at a time: the kernel keeps filling its ring (on a
 * veth pair that work runs on the sender's CPU), and whatever does not fit
 * in the ring during a stall is dropped.  That is the scheduling stall of a
 * busy host, made repeatable.  Prints the number of stalls on exit.
 *
 * Without permission for SCHED_FIFO it says so and exits 1: at normal
 * priority the scheduler would share the CPU instead of stalling anyone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int signo) {
    (void)signo;
    stop_requested = 1;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long parse(const char *text, const char *what, long low, long high) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || *end || value < low || value > high) {
        fprintf(stderr, "stall: %s must be an integer in [%ld, %ld]\n", what, low, high);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: stall CPU BUSY_MS PERIOD_MS SECONDS\n");
        return 2;
    }
    int cpu = (int)parse(argv[1], "CPU", 0, CPU_SETSIZE - 1);
    long busy_ms = parse(argv[2], "BUSY_MS", 1, 900);
    long period_ms = parse(argv[3], "PERIOD_MS", busy_ms + 1, 10000);
    long seconds = parse(argv[4], "SECONDS", 1, 600);

    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        fprintf(stderr, "stall: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
        return 1;
    }
    struct sched_param param = {.sched_priority = 1};
    if (sched_setscheduler(0, SCHED_FIFO, &param) != 0) {
        fprintf(stderr, "stall: cannot use SCHED_FIFO: %s\n", strerror(errno));
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    long long end = now_ns() + seconds * 1000000000LL;
    long long next = now_ns();
    long stalls = 0;
    while (!stop_requested && next < end) {
        long long busy_until = next + busy_ms * 1000000LL;
        while (now_ns() < busy_until && !stop_requested) {
        }
        stalls++;
        next += period_ms * 1000000LL;
        struct timespec wake = {.tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL) == EINTR && !stop_requested) {
        }
    }
    printf("stalls=%ld busy_ms=%ld period_ms=%ld\n", stalls, busy_ms, period_ms);
    return 0;
}
