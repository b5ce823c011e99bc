#ifndef _GNU_SOURCE
#error "CSystemShim must be compiled with _GNU_SOURCE"
#endif
#include "CSystemShim.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>

const int pcapctl_POSIX_SPAWN_SETSID = POSIX_SPAWN_SETSID;

int pcapctl_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}

int pcapctl_setns_net(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int pcapctl_wakeup_descriptor(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

unsigned long long pcapctl_process_start_ticks(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *file = fopen(path, "re");
    if (file == NULL) return 0;
    char line[4096];
    size_t length = fread(line, 1, sizeof line - 1, file);
    fclose(file);
    line[length] = '\0';
    /* The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'. */
    char *cursor = strrchr(line, ')');
    if (cursor == NULL) return 0;
    unsigned long long ticks = 0;
    /* After ')' come fields 3..: skip 19 fields to reach field 22 (starttime). */
    int field = 2;
    for (char *token = strtok(cursor + 1, " "); token != NULL; token = strtok(NULL, " ")) {
        field += 1;
        if (field == 22) { sscanf(token, "%llu", &ticks); break; }
    }
    return ticks;
}
