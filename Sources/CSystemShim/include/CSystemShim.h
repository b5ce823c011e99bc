#ifndef PCAPCTL_CSYSTEMSHIM_H
#define PCAPCTL_CSYSTEMSHIM_H

#include <spawn.h>
#include <sys/types.h>

/// GNU-only spawn flag: the child becomes a session leader (not visible from Swift's Glibc module).
extern const int pcapctl_POSIX_SPAWN_SETSID;

/// Closes every descriptor >= `lowfd` in the spawned child (posix_spawn_file_actions_addclosefrom_np).
int pcapctl_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

/// Moves the calling thread into the network namespace that `fd` refers to (setns with CLONE_NEWNET).
int pcapctl_setns_net(int fd);

/// A non-blocking, close-on-exec eventfd (not in Swift's Glibc module); -1 with errno on failure.
int pcapctl_wakeup_descriptor(void);

#endif
