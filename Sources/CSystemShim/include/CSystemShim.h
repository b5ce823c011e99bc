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

/// Whether no other open file description refers to `fd`'s file: a write lease (F_SETLEASE) can be taken
/// only then; it is released at once. SIGIO, which a lease holder gets when someone opens the file, is
/// ignored from the first call on. 1 yes, 0 no (or leases unsupported), with errno.
int pcapctl_is_only_opener(int fd);

/// Gives the file open at `fd` the name `path` (linkat through /proc/self/fd), as long as it has a link.
int pcapctl_link_descriptor(int fd, const char *path);

/// Records (or, with -1, removes) the length of the valid prefix of a file overwritten in place, in the
/// extended attribute `user.pcapctl.valid-length`. 0 or -1 with errno.
int pcapctl_set_valid_length(int fd, long long length);

/// The length `pcapctl_set_valid_length` recorded for `path`; -1 when there is none.
long long pcapctl_valid_length(const char *path);

/// Removes that record from `path` (a file cut to its valid length).
int pcapctl_remove_valid_length(const char *path);

/// Opens the existing directory `path` below `directory` in one call, refusing any symbolic link on the way
/// and any escape from `directory` (openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, Linux 5.6; not in
/// glibc). Close-on-exec; -1 with errno (ENOSYS on an older kernel).
int pcapctl_open_directory_beneath(int directory, const char *path);

#endif
