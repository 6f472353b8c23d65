// Escape sequences the engine writes into a page's xterm when it redraws a terminal (see TerminalRedraw).

/** Cursor home, erase to the end of the screen: unlike ED 2 (tmux's clear), it pushes nothing into the scrollback. */
export const ERASE_SCREEN = '\x1b[H\x1b[J'
/** ED 3: the scrollback emptied, the screen left as it is. */
export const CLEAR_SCROLLBACK = '\x1b[3J'
/** Cursor home, ED 2: with the page's scrollOnEraseInDisplay, the screen's lines move into the scrollback. */
export const CLEAR_INTO_SCROLLBACK = '\x1b[H\x1b[2J'
/** Back to the normal screen, where a full redraw starts (a window whose xterm shows a program's alternate screen). */
export const LEAVE_ALT_SCREEN = '\x1b[?1049l'
