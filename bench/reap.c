/*
 * reap: run a command as a child subreaper and report the exact CPU time of
 * every process that exits beneath it, start-up and teardown included.
 *
 * A capturer's CPU sampled from /proc just before it is stopped misses what
 * it spends afterwards (the last flush, fsync, freeing the kernel ring, and
 * for pcapctl delivering the file).  wait4() hands back the whole lifetime's
 * user and system time of each child.  As a subreaper (PR_SET_CHILD_SUBREAPER)
 * this process also inherits the detached processes its command leaves
 * behind, such as the agent `pcapctl create` spawns, so their CPU is reported
 * when they exit too.
 *
 * usage: reap OUTFILE COMMAND [ARGS...]
 * OUTFILE gets one line per exited process, written as it exits:
 *   pid=N direct=0|1 comm=NAME status=N cpu_us=N utime_us=N stime_us=N maxrss_kib=N
 * (direct=1 for the reaper's own child).  reap exits once no process is left beneath it, with the status of
 * its direct child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void read_comm(pid_t pid, char *out, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)size, f)) snprintf(out, size, "?");
    if (f) fclose(f);
    out[strcspn(out, "\n")] = 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: reap OUTFILE COMMAND [ARGS...]\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        perror("prctl(PR_SET_CHILD_SUBREAPER)");
        return 2;
    }
    /* The harness stops capturers by signalling them directly; the reaper
     * itself must outlive them to collect their times. */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 2;
    }
    if (child == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int child_status = 0;
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        /* Peek first (WNOWAIT) so the exited process's name can still be read. */
        if (waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR) continue;
            break; /* ECHILD: nothing left beneath us */
        }
        pid_t pid = info.si_pid;
        char comm[64];
        read_comm(pid, comm, sizeof comm);
        int status = 0;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) != pid) continue;
        long long ut = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
        long long st = (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (pid == child) child_status = code;
        fprintf(out, "pid=%d direct=%d comm=%s status=%d cpu_us=%lld utime_us=%lld stime_us=%lld maxrss_kib=%ld\n",
                (int)pid, pid == child, comm, code, ut + st, ut, st, ru.ru_maxrss);
        fflush(out);
    }
    fclose(out);
    return child_status;
}
