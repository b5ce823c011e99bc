#ifndef _GNU_SOURCE
#error "CSystemShim must be compiled with _GNU_SOURCE"
#endif
#include "CSystemShim.h"
#include <sched.h>
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
