#ifndef _GNU_SOURCE
#error "CSystemShim must be compiled with _GNU_SOURCE"
#endif
#include "CSystemShim.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char valid_length_name[] = "user.pcapctl.valid-length";

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

int pcapctl_is_only_opener(int fd) {
    signal(SIGIO, SIG_IGN);
    if (fcntl(fd, F_SETLEASE, F_WRLCK) != 0) return 0;
    fcntl(fd, F_SETLEASE, F_UNLCK);
    return 1;
}

int pcapctl_link_descriptor(int fd, const char *path) {
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, source, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int pcapctl_set_valid_length(int fd, long long length) {
    if (length < 0) return fremovexattr(fd, valid_length_name) == 0 || errno == ENODATA ? 0 : -1;
    char text[24];
    int size = snprintf(text, sizeof text, "%lld", length);
    return fsetxattr(fd, valid_length_name, text, (size_t)size, 0);
}

long long pcapctl_valid_length(const char *path) {
    char text[24];
    ssize_t size = lgetxattr(path, valid_length_name, text, sizeof text - 1);
    if (size <= 0) return -1;
    text[size] = 0;
    char *end;
    long long length = strtoll(text, &end, 10);
    return *end == 0 && length >= 0 ? length : -1;
}

int pcapctl_remove_valid_length(const char *path) {
    return lremovexattr(path, valid_length_name) == 0 || errno == ENODATA ? 0 : -1;
}

int pcapctl_open_directory_beneath(int directory, const char *path) {
    struct open_how how = {
        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, directory, path, &how, sizeof how);
}
