// Escape sequences the engine writes into a page's xterm when it redraws a terminal (see TerminalRedraw).

/** Cursor home, erase to the end of the screen: unlike ED 2 (tmux's clear), it pushes nothing into the scrollback. */
export const ERASE_SCREEN = '\x1b[H\x1b[J'
/** ED 3: the scrollback emptied, the screen left as it is. */
export const CLEAR_SCROLLBACK = '\x1b[3J'
/** Cursor home, ED 2: with the page's scrollOnEraseInDisplay, the screen's lines move into the scrollback. */
export const CLEAR_INTO_SCROLLBACK = '\x1b[H\x1b[2J'
/**
 * Synchronized output (DEC mode 2026, which xterm.js honours): the page's xterm shows nothing of what comes between
 * these until the end (or its own one-second limit), so a redraw replaces the screen in one frame, without flicker.
 */
export const SYNC_START = '\x1b[?2026h'
export const SYNC_END = '\x1b[?2026l'
/** How long after tmux was asked to redraw its clients the synchronized update ends: its redraw is on the way then. */
export const SYNC_SETTLE_MS = 50
/** Back to the normal screen, where a full redraw starts (a window whose xterm shows a program's alternate screen). */
export const LEAVE_ALT_SCREEN = '\x1b[?1049l'
