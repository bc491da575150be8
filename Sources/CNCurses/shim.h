// CNCurses: the C side of the Terminal target's ncurses backend.
//
// Only the Terminal target imports this module. It exposes the wide-character ncurses API and
// wraps what Swift 6 cannot use directly: ncurses' mutable C globals (stdscr, LINES, COLS, COLORS,
// COLOR_PAIRS), libc's stdin/stdout, and function-like macros (A_BOLD, KEY_F).
#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>

static inline WINDOW *cncurses_stdscr(void) { return stdscr; }
static inline int cncurses_lines(void) { return LINES; }
static inline int cncurses_cols(void) { return COLS; }
static inline int cncurses_colors(void) { return COLORS; }
static inline int cncurses_color_pairs(void) { return COLOR_PAIRS; }

static inline FILE *cncurses_stdin(void) { return stdin; }
static inline FILE *cncurses_stdout(void) { return stdout; }

static inline attr_t cncurses_a_normal(void) { return A_NORMAL; }
static inline attr_t cncurses_a_bold(void) { return A_BOLD; }
static inline attr_t cncurses_a_dim(void) { return A_DIM; }
static inline attr_t cncurses_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cncurses_a_reverse(void) { return A_REVERSE; }
static inline attr_t cncurses_a_italic(void) { return A_ITALIC; }

static inline int cncurses_key_f(int n) { return KEY_F(n); }
static inline int cncurses_ok(void) { return OK; }
static inline int cncurses_err(void) { return ERR; }

/// Whether the terminfo entry says the terminal takes 24-bit colour numbers directly
/// (the `RGB` flag of xterm-direct and friends).
static inline int cncurses_has_rgb_flag(void) { return tigetflag("RGB") > 0; }

/// setcchar with an extended (int) colour pair, so pairs above 32767 work.
static inline int cncurses_setcchar(cchar_t *value, const wchar_t *text, attr_t attributes, int pair) {
    return setcchar(value, text, attributes, 0, &pair);
}

#endif
