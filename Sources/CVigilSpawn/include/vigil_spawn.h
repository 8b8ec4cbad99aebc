#ifndef VIGIL_SPAWN_H
#define VIGIL_SPAWN_H
#include <sys/types.h>

/*
 * Starting and ending a command feed's child (`--command`). posix_spawn in C, because what the
 * child needs (a new session, every other descriptor closed) sits behind _GNU_SOURCE, which
 * Swift's Glibc module does not define, and the exit status of a child that has not been reaped
 * yet comes from waitid's siginfo_t, a union Swift cannot read.
 */

/// Creates a pipe whose two ends are close-on-exec (so no other child inherits them). Returns 0
/// or an errno value.
int vigil_spawn_pipe(int fds[2]);

/// Starts `/bin/sh -c command` with stdin on /dev/null, stdout on `out_fd`, stderr on `err_fd`,
/// every other descriptor closed, an empty signal mask and every signal at its default action,
/// as the leader of a new session: its own process group (pgid = pid) and no controlling
/// terminal, so it can never read, write or signal the terminal the dashboard owns. Returns 0
/// and sets `*pid`, or an errno value.
int vigil_spawn_shell(const char *command, int out_fd, int err_fd, pid_t *pid);

/// As vigil_spawn_shell, with stdin on `in_fd` (or /dev/null when it is -1) and `envp` as the
/// whole environment (NULL: Vigil's own). For `--on-alert`: the alert reaches the command only
/// as environment variables and standard input, never in its command line.
int vigil_spawn_shell_io(const char *command, int in_fd, int out_fd, int err_fd,
                         char *const envp[], pid_t *pid);

/// Whether child `pid` has ended, without reaping it (so its pid, which is also its process
/// group's id, cannot be reused while the group is signalled). Returns 1 with `*code` set to
/// the exit status, or to -N when signal N ended it; 0 while it runs; -1 with errno on error.
int vigil_child_peek(pid_t pid, int *code);

/// Reaps child `pid`, waiting for it. Returns 0 with `*code` as for vigil_child_peek, or -1
/// with errno.
int vigil_child_reap(pid_t pid, int *code);

/// Sends `sig` to process group `pgid`. Returns 0, or -1 with errno (ESRCH: the group is empty).
int vigil_signal_group(pid_t pgid, int sig);

#endif
