#ifndef VIGIL_SIGNALS_H
#define VIGIL_SIGNALS_H
#include <signal.h>

/// Installs SIGINT/SIGTERM/SIGHUP handlers that only record the signal and write to a
/// self-pipe. Call before newterm() so ncurses leaves them alone.
int vigil_signals_install(void);
/// The pending termination signal number, or 0.
int vigil_signals_pending(void);
/// The read end of the self-pipe (readable after a signal), or -1.
int vigil_signals_fd(void);
/// Resets the disposition of `sig` to the default and raises it (die by the signal).
void vigil_signals_reraise(int sig);
/// Saves the terminal modes of `fd` so a crash can restore them.
void vigil_signals_save_tty(int fd);
/// Installs crash handlers (SEGV, BUS, ILL, TRAP, ABRT, FPE) that restore the saved terminal
/// modes, leave the alternate screen, show the cursor, then chain to the previous handler.
void vigil_signals_install_crash_restore(void);
/// Forgets the saved terminal (after a clean shutdown).
void vigil_signals_clear_tty(void);
#endif
