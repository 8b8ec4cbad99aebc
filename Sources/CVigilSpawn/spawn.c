#define _GNU_SOURCE 1
#include "vigil_spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int vigil_spawn_pipe(int fds[2]) {
#if defined(__linux__)
  return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
#else
  if (pipe(fds) != 0) return errno;
  for (int i = 0; i < 2; i++) {
    if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
      int e = errno;
      close(fds[0]);
      close(fds[1]);
      return e;
    }
  }
  return 0;
#endif
}

int vigil_spawn_shell(const char *command, int out_fd, int err_fd, pid_t *pid) {
  return vigil_spawn_shell_io(command, -1, out_fd, err_fd, NULL, pid);
}

int vigil_spawn_shell_io(const char *command, int in_fd, int out_fd, int err_fd,
                         char *const envp[], pid_t *pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) return rc;
  rc = posix_spawnattr_init(&attr);
  if (rc != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return rc;
  }
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#if defined(POSIX_SPAWN_SETSID)
  flags |= POSIX_SPAWN_SETSID;
#else
  /* No new session: at least a process group of its own (pgid = pid). */
  flags |= POSIX_SPAWN_SETPGROUP;
  if (rc == 0) rc = posix_spawnattr_setpgroup(&attr, 0);
#endif
#if defined(__APPLE__)
  /* Darwin: close every descriptor the file actions do not name. */
  flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
#endif
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
  if (rc == 0) rc = posix_spawnattr_setflags(&attr, flags);
  if (rc == 0) {
    rc = in_fd >= 0 ? posix_spawn_file_actions_adddup2(&actions, in_fd, 0)
                    : posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  /* The terminal Vigil draws on may be open on a descriptor without close-on-exec. */
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  if (rc == 0) {
    char *const argv[] = {(char *)"sh", (char *)"-c", (char *)command, NULL};
    rc = posix_spawn(pid, "/bin/sh", &actions, &attr, argv, envp ? envp : environ);
  }
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

static int decode(const siginfo_t *info) {
  if (info->si_code == CLD_EXITED) return info->si_status;
  return -info->si_status;
}

int vigil_child_peek(pid_t pid, int *code) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  for (;;) {
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0) break;
    if (errno != EINTR) return -1;
  }
  if (info.si_pid == 0) return 0;
  *code = decode(&info);
  return 1;
}

int vigil_child_reap(pid_t pid, int *code) {
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, 0) == pid) break;
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) {
    *code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    *code = -WTERMSIG(status);
  } else {
    *code = 0;
  }
  return 0;
}

int vigil_signal_group(pid_t pgid, int sig) { return killpg(pgid, sig); }
