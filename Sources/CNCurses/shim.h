#ifndef VIGIL_CNCURSES_SHIM_H
#define VIGIL_CNCURSES_SHIM_H
/* Both before curses.h, or cchar_t/setcchar are missing. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <string.h>
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
/* Attributes that read-back compares (A_CHARTEXT and A_COLOR masked out). */
static inline attr_t vigil_a_attributes(void) { return A_ATTRIBUTES & ~A_COLOR; }
static inline const char *vigil_codeset(void) { return nl_langinfo(CODESET); }
static inline int vigil_key_f0(void) { return KEY_F0; }

/* The mouse (--mouse): left presses and the wheel, reported at once (no click interval). */
static inline int vigil_mouse_on(void) {
  mouseinterval(0);
  return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0;
}
static inline void vigil_mouse_off(void) { mousemask(0, NULL); }
/* After KEY_MOUSE: 0 nothing Vigil uses, 1 left press, 2 wheel up, 3 wheel down. */
static inline int vigil_get_mouse(int *x, int *y) {
  MEVENT e;
  if (getmouse(&e) != OK) return 0;
  *x = e.x;
  *y = e.y;
  if (e.bstate & BUTTON4_PRESSED) return 2;
  if (e.bstate & BUTTON5_PRESSED) return 3;
  if (e.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return 1;
  return 0;
}
static inline int vigil_key_mouse(void) { return KEY_MOUSE; }

/* Pairs go through the extended (int) API: xterm-256color has 65536 pairs, more than a short. */
static inline int vigil_init_pair(int pair, int fg, int bg) {
#if NCURSES_EXT_COLORS
  return init_extended_pair(pair, fg, bg);
#else
  return init_pair((short)pair, (short)fg, (short)bg);
#endif
}

static inline int vigil_pair_content(int pair, int *fg, int *bg) {
#if NCURSES_EXT_COLORS
  return extended_pair_content(pair, fg, bg);
#else
  short f = 0, b = 0;
  int rc = pair_content((short)pair, &f, &b);
  *fg = f;
  *bg = b;
  return rc;
#endif
}

/* Draws one cell: a NUL-terminated wide string (one grapheme) with attributes and a pair. */
static inline int vigil_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs,
                                 int pair) {
  cchar_t c;
  int ext = pair;
  if (setcchar(&c, wch, attrs, (short)(pair > 0x7fff ? 0 : pair), &ext) == ERR) return ERR;
  return mvwadd_wch(w, y, x, &c);
}

/* Reads one cell back (tests): up to `cap` wide chars into `out`, with attributes and pair. */
static inline int vigil_read_cell(WINDOW *w, int y, int x, wchar_t *out, int cap, attr_t *attrs,
                                  int *pair) {
  cchar_t c;
  wchar_t buf[CCHARW_MAX + 1];
  short p = 0;
  int ext = 0;
  if (cap < 1) return ERR;
  if (mvwin_wch(w, y, x, &c) == ERR) return ERR;
  if (getcchar(&c, buf, attrs, &p, &ext) == ERR) return ERR;
  int i = 0;
  for (; i < cap - 1 && buf[i] != 0; i++) out[i] = buf[i];
  out[i] = 0;
  *pair = ext;
  return OK;
}

/* True when the terminal has a string capability (for example "smcup", the alternate screen). */
static inline int vigil_has_string_cap(const char *name) {
  const char *s = tigetstr(name);
  return s != NULL && s != (const char *)-1 && s[0] != 0;
}

/*
 * Appends the terminfo string `name` to `buf` (size `cap`, kept NUL-terminated), dropping
 * padding such as "$<2>", which is a delay for ncurses and garbage for a raw write(2).
 */
static inline void vigil_append_cap(char *buf, size_t cap, const char *name) {
  const char *s = tigetstr(name);
  if (s == NULL || s == (const char *)-1) return;
  size_t n = strlen(buf);
  for (const char *p = s; *p != 0 && n + 1 < cap; p++) {
    if (p[0] == '$' && p[1] == '<') {
      const char *end = strchr(p, '>');
      if (end != NULL) {
        p = end;
        continue;
      }
    }
    buf[n++] = *p;
  }
  buf[n] = 0;
}

/* What the crash handler writes to leave curses mode: sgr0, cnorm, rmkx, rmcup from terminfo. */
static inline void vigil_restore_sequence(char *buf, size_t cap) {
  if (cap == 0) return;
  buf[0] = 0;
  vigil_append_cap(buf, cap, "sgr0");
  vigil_append_cap(buf, cap, "cnorm");
  vigil_append_cap(buf, cap, "rmkx");
  vigil_append_cap(buf, cap, "rmcup");
  size_t n = strlen(buf);
  if (n + 2 < cap) {
    buf[n] = '\r';
    buf[n + 1] = '\n';
    buf[n + 2] = 0;
  }
}
#endif
