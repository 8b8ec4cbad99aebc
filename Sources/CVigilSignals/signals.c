#include "vigil_signals.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t pending_signal = 0;
static int pipe_fds[2] = {-1, -1};
static struct termios saved_tty;
static volatile sig_atomic_t tty_saved = 0;
static int tty_fd = -1;

static void on_terminate(int sig) {
  int saved = errno;
  pending_signal = sig;
  if (pipe_fds[1] >= 0) {
    char b = (char)sig;
    ssize_t r = write(pipe_fds[1], &b, 1);
    (void)r;
  }
  errno = saved;
}

int vigil_signals_install(void) {
  if (pipe_fds[0] < 0) {
    if (pipe(pipe_fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
      fcntl(pipe_fds[i], F_SETFL, fcntl(pipe_fds[i], F_GETFL) | O_NONBLOCK);
      fcntl(pipe_fds[i], F_SETFD, FD_CLOEXEC);
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_terminate;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns EINTR so the loop wakes */
  int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    if (sigaction(sigs[i], &sa, NULL) != 0) return -1;
  }
  return 0;
}

int vigil_signals_pending(void) { return pending_signal; }
int vigil_signals_fd(void) { return pipe_fds[0]; }

void vigil_signals_reraise(int sig) {
  signal(sig, SIG_DFL);
  raise(sig);
}

void vigil_signals_save_tty(int fd) {
  if (tcgetattr(fd, &saved_tty) == 0) {
    tty_fd = fd;
    tty_saved = 1;
  }
}

void vigil_signals_clear_tty(void) { tty_saved = 0; }

static struct sigaction previous[32];

static void on_crash(int sig) {
  if (tty_saved) {
    tty_saved = 0;
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t r = write(tty_fd, reset, sizeof reset - 1);
    (void)r;
    tcsetattr(tty_fd, TCSANOW, &saved_tty);
  }
  /* Chain to the previous handler (the Swift backtracer), or die by the default action. */
  if (sig > 0 && sig < 32) {
    sigaction(sig, &previous[sig], NULL);
  } else {
    signal(sig, SIG_DFL);
  }
  raise(sig);
}

void vigil_signals_install_crash_restore(void) {
  int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_crash;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    sigaction(sigs[i], &sa, &previous[sigs[i]]);
  }
}
