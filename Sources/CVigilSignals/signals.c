#include "vigil_signals.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Everything a handler reads is either volatile sig_atomic_t or written before a flag is set,
 * with a signal fence between the two, so a handler never sees a half-written value. */
static volatile sig_atomic_t pending_signal = 0;
/* When the first termination signal came (CLOCK_MONOTONIC), and how long before a second one
 * forces the exit. Duplicates arrive together on an SSH drop (the kernel's SIGHUP and the
 * shell's forwarded one) and must not skip the loop's cleanup; only a request repeated after
 * the loop had time to act is "stuck, kill me now". */
static struct timespec first_signal_time;
static volatile sig_atomic_t force_quit_delay_ms = 2000;
static int pipe_fds[2] = {-1, -1};

static struct termios saved_tty;
static int tty_fd = -1;
static volatile sig_atomic_t tty_saved = 0;

static char restore_bytes[256];
static volatile sig_atomic_t restore_length = 0;

static const int termination_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define TERMINATION_COUNT (sizeof termination_signals / sizeof termination_signals[0])
static struct sigaction previous_termination[TERMINATION_COUNT];
static int termination_installed = 0;

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGQUIT};
#define CRASH_COUNT (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction previous_crash[CRASH_COUNT];
static int crash_installed = 0;
static volatile sig_atomic_t crashing = 0;

/* Async-signal-safe: write(2) and tcsetattr(3) only. Restores at most once. */
static void restore_tty_from_handler(void) {
  if (!tty_saved) return;
  tty_saved = 0;
  atomic_signal_fence(memory_order_seq_cst);
  sig_atomic_t n = restore_length;
  const char *p = restore_bytes;
  while (n > 0) {
    ssize_t w = write(tty_fd, p, (size_t)n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break; /* EIO on a dead pty: give up, never spin */
    p += w;
    n -= (sig_atomic_t)w;
  }
  tcsetattr(tty_fd, TCSANOW, &saved_tty);
}

static void die_by(int sig) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
}

static void on_terminate(int sig) {
  int saved_errno = errno;
  if (pending_signal != 0) {
    long delay = (long)force_quit_delay_ms;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed_ms = (long)(now.tv_sec - first_signal_time.tv_sec) * 1000 +
                      (now.tv_nsec - first_signal_time.tv_nsec) / 1000000;
    if (delay >= 0 && elapsed_ms >= delay) {
      /* Repeated after the loop had time to end: it is stuck. Restore and die now. */
      restore_tty_from_handler();
      die_by(sig);
    }
    errno = saved_errno;
    return;
  }
  clock_gettime(CLOCK_MONOTONIC, &first_signal_time);
  pending_signal = sig;
  if (pipe_fds[1] >= 0) {
    char b = (char)sig;
    ssize_t r = write(pipe_fds[1], &b, 1); /* non-blocking: a full pipe already says "signal" */
    (void)r;
  }
  errno = saved_errno;
}

int vigil_signals_install(void) {
  if (pipe_fds[0] < 0) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
      int fl = fcntl(fds[i], F_GETFL);
      if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) != 0 ||
          fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
      }
    }
    pipe_fds[0] = fds[0];
    pipe_fds[1] = fds[1];
  }
  if (termination_installed) return 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_terminate;
  sigemptyset(&sa.sa_mask);
  for (unsigned i = 0; i < TERMINATION_COUNT; i++) sigaddset(&sa.sa_mask, termination_signals[i]);
  sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns EINTR so the loop wakes */
  for (unsigned i = 0; i < TERMINATION_COUNT; i++) {
    if (sigaction(termination_signals[i], &sa, &previous_termination[i]) != 0) {
      int e = errno;
      for (unsigned j = 0; j < i; j++) {
        sigaction(termination_signals[j], &previous_termination[j], NULL);
      }
      errno = e;
      return -1;
    }
  }
  termination_installed = 1;
  return 0;
}

void vigil_signals_uninstall(void) {
  if (!termination_installed) return;
  for (unsigned i = 0; i < TERMINATION_COUNT; i++) {
    sigaction(termination_signals[i], &previous_termination[i], NULL);
  }
  termination_installed = 0;
}

int vigil_signals_block_termination_in_thread(void) {
  sigset_t set;
  sigemptyset(&set);
  for (unsigned i = 0; i < TERMINATION_COUNT; i++) sigaddset(&set, termination_signals[i]);
  return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int vigil_signals_pending(void) { return pending_signal; }

void vigil_signals_set_force_quit_delay(int milliseconds) { force_quit_delay_ms = milliseconds; }

void vigil_signals_clear_pending(void) {
  pending_signal = 0;
  if (pipe_fds[0] >= 0) {
    char buf[64];
    while (read(pipe_fds[0], buf, sizeof buf) > 0) {
    }
  }
}

int vigil_signals_fd(void) { return pipe_fds[0]; }

void vigil_signals_reraise(int sig) {
  fflush(NULL); /* messages printed after shutdown must reach the shell before we die */
  die_by(sig);
}

int vigil_signals_save_tty(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) != 0) return -1;
  tty_saved = 0;
  atomic_signal_fence(memory_order_seq_cst);
  saved_tty = t;
  tty_fd = fd;
  atomic_signal_fence(memory_order_seq_cst);
  tty_saved = 1;
  return 0;
}

void vigil_signals_set_restore_sequence(const char *bytes, size_t length) {
  if (length > sizeof restore_bytes - 1) length = sizeof restore_bytes - 1;
  restore_length = 0;
  atomic_signal_fence(memory_order_seq_cst);
  if (length > 0) memcpy(restore_bytes, bytes, length);
  restore_bytes[length] = 0;
  atomic_signal_fence(memory_order_seq_cst);
  restore_length = (sig_atomic_t)length;
}

void vigil_signals_clear_tty(void) { tty_saved = 0; }

int vigil_signals_tty_saved(void) { return tty_saved; }

static void on_crash(int sig, siginfo_t *info, void *context) {
  if (!crashing) {
    crashing = 1;
    restore_tty_from_handler();
  }
  /* Put the previous handler back and hand it the real signal context. */
  const struct sigaction *prev = NULL;
  for (unsigned i = 0; i < CRASH_COUNT; i++) {
    if (crash_signals[i] == sig) prev = &previous_crash[i];
  }
  if (prev == NULL) {
    die_by(sig);
    return;
  }
  sigaction(sig, prev, NULL);
  if (prev->sa_flags & SA_SIGINFO) {
    if (prev->sa_sigaction != NULL) {
      prev->sa_sigaction(sig, info, context);
    }
  } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
  } else {
    /* No previous handler. A fault (kernel-generated) re-executes the faulting instruction on
     * return and dies with the right context and core; anything else is raised again. */
    if (prev->sa_handler == SIG_IGN) die_by(sig);
    if (info == NULL || info->si_code <= 0 || sig == SIGABRT || sig == SIGTRAP ||
        sig == SIGQUIT) {
      die_by(sig);
    }
    return;
  }
  /* The previous handler returned. Faults re-fault on return; make sure anything else dies. */
  if (info == NULL || info->si_code <= 0 || sig == SIGABRT || sig == SIGTRAP || sig == SIGQUIT) {
    die_by(sig);
  }
}

void vigil_signals_install_crash_restore(void) {
  if (crash_installed) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_crash;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  for (unsigned i = 0; i < CRASH_COUNT; i++) {
    sigaction(crash_signals[i], &sa, &previous_crash[i]);
  }
  crash_installed = 1;
}

int vigil_signals_unblock_inherited(void) {
  sigset_t set;
  sigemptyset(&set);
  int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&set, sigs[i]);
  return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
