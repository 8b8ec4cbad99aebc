#ifndef VIGIL_CNCURSES_SHIM_H
#define VIGIL_CNCURSES_SHIM_H
/* Both before curses.h, or cchar_t/setcchar are missing. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif
#include <langinfo.h>

/* Swift 6 rejects imported mutable globals and cannot call function-like macros: wrap them. */
static inline WINDOW *vigil_stdscr(void) { return stdscr; }
static inline WINDOW *vigil_curscr(void) { return curscr; }
static inline int vigil_lines(void) { return LINES; }
static inline int vigil_cols(void) { return COLS; }
static inline int vigil_colors(void) { return COLORS; }
static inline int vigil_color_pairs(void) { return COLOR_PAIRS; }
static inline FILE *vigil_stdin(void) { return stdin; }
static inline FILE *vigil_stdout(void) { return stdout; }
static inline FILE *vigil_stderr(void) { return stderr; }
static inline attr_t vigil_a_normal(void) { return A_NORMAL; }
static inline attr_t vigil_a_bold(void) { return A_BOLD; }
static inline attr_t vigil_a_dim(void) { return A_DIM; }
static inline attr_t vigil_a_reverse(void) { return A_REVERSE; }
static inline attr_t vigil_a_underline(void) { return A_UNDERLINE; }
static inline attr_t vigil_a_italic(void) { return A_ITALIC; }
static inline const char *vigil_codeset(void) { return nl_langinfo(CODESET); }

/* Draws one cell: a NUL-terminated wide string (one grapheme) with attributes and a pair. */
static inline int vigil_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
  cchar_t c;
  if (setcchar(&c, wch, attrs, (short)pair, NULL) == ERR) return ERR;
  return mvwadd_wch(w, y, x, &c);
}

/* Reads one cell back (tests): up to `cap` wide chars into `out`, with attributes and pair. */
static inline int vigil_read_cell(WINDOW *w, int y, int x, wchar_t *out, int cap, attr_t *attrs, int *pair) {
  cchar_t c;
  wchar_t buf[CCHARW_MAX + 1];
  short p = 0;
  if (mvwin_wch(w, y, x, &c) == ERR) return ERR;
  if (getcchar(&c, buf, attrs, &p, NULL) == ERR) return ERR;
  int i = 0;
  for (; i < cap - 1 && buf[i] != 0; i++) out[i] = buf[i];
  out[i] = 0;
  *pair = p;
  return OK;
}
#endif
