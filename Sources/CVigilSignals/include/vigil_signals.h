#ifndef VIGIL_SIGNALS_H
#define VIGIL_SIGNALS_H
#include <signal.h>
#include <stddef.h>

/*
 * Signals never run Swift code (ARCHITECTURE §5, §8). Termination signals set a flag and write
 * one byte to a self-pipe; the loop polls the flag. Crash signals restore the terminal from
 * state saved here, then chain to the previous handler (the Swift backtracer).
 */

/// Installs SIGINT/SIGTERM/SIGHUP handlers that only record the signal and write to a
/// self-pipe. Call before newterm() so ncurses leaves them alone. A second termination signal
/// at least the force-quit delay (2 s) after the first restores the saved terminal and dies by
/// that signal at once (an escape hatch if the loop is stuck); sooner ones are duplicates (an
/// SSH drop delivers SIGHUP twice) and are ignored. Returns 0, or -1 with errno set.
int vigil_signals_install(void);
/// Blocks SIGINT/SIGTERM/SIGHUP in the calling thread. Call it at the start of helper threads
/// (feed readers) so the kernel delivers these signals to the loop's thread, whose wait then
/// ends at once with EINTR instead of at its timeout. Returns 0 or an error number.
int vigil_signals_block_termination_in_thread(void);
/// Sets the force-quit delay in milliseconds (default 2000; negative never forces).
void vigil_signals_set_force_quit_delay(int milliseconds);
/// Puts back the dispositions that vigil_signals_install replaced (tests).
void vigil_signals_uninstall(void);
/// The pending termination signal number, or 0.
int vigil_signals_pending(void);
/// Forgets a pending termination signal and drains the self-pipe (tests).
void vigil_signals_clear_pending(void);
/// The read end of the self-pipe (readable after a signal), or -1.
int vigil_signals_fd(void);
/// Flushes stdio, resets the disposition of `sig` to the default, unblocks it and raises it, so
/// the process dies by the signal and the shell reports 128 + N. Returns only if it survived.
void vigil_signals_reraise(int sig);
/// Saves the terminal modes of `fd` so a crash can restore them. Returns 0, or -1 when `fd` is
/// not a terminal.
int vigil_signals_save_tty(int fd);
/// Sets the bytes a crash writes to the saved terminal before restoring its modes (leave the
/// alternate screen, show the cursor, ...). Copied; at most 255 bytes are kept.
void vigil_signals_set_restore_sequence(const char *bytes, size_t length);
/// Installs crash handlers (SEGV, BUS, ILL, TRAP, ABRT, FPE, QUIT) that restore the saved
/// terminal once, then chain to the previous handler. Idempotent.
void vigil_signals_install_crash_restore(void);
/// Forgets the saved terminal (after a clean shutdown), so a later crash writes nothing.
void vigil_signals_clear_tty(void);
/// True while a terminal is saved for crash restore.
int vigil_signals_tty_saved(void);
/// Unblocks, in the calling thread, the signals Vigil relies on (INT, TERM, HUP, QUIT, WINCH,
/// TSTP, CONT): a parent may have started Vigil with them blocked, and then ncurses would never
/// see a resize and a kill would be ignored. Call first thing on the main thread.
int vigil_signals_unblock_inherited(void);
#endif
