import { CalError } from '../../shared/errors'
import { SCROLLBACK_LINES } from '../../shared/terminal'
import { shellJoin, shellQuote } from './quote'

/** Idempotently add CAL's public key to ~/.ssh/authorized_keys with the modes sshd's StrictModes wants. */
export function installKeyScript(publicKey: string): string {
  const k = shellQuote(publicKey)
  const f = '"$HOME/.ssh/authorized_keys"'
  return [
    'umask 077',
    'mkdir -p "$HOME/.ssh"',
    `touch ${f}`,
    'chmod 700 "$HOME/.ssh"',
    `chmod 600 ${f}`,
    // A last line without a newline would swallow ours.
    `if [ -s ${f} ] && [ -n "$(tail -c 1 ${f})" ]; then echo >> ${f}; fi`,
    `grep -qxF ${k} ${f} || printf '%s\\n' ${k} >> ${f}`,
  ].join(' && ')
}

/**
 * Unlocks the login keychain, `security` asking for the password on the terminal (run it on a PTY and answer
 * KEYCHAIN_PROMPT): with `-p`, the password would sit on security's command line, which any process of the user in
 * the guest (the agent) can read while it runs. Exits 127 on a guest without `security` (not macOS).
 */
export const UNLOCK_KEYCHAIN_SCRIPT = [
  'command -v security >/dev/null 2>&1 || exit 127',
  // security's prompts are localised: ask for the C locale's, which KEYCHAIN_PROMPT matches.
  'LC_ALL=C exec security unlock-keychain "$HOME/Library/Keychains/login.keychain-db"',
].join('; ')

/** security(1)'s password prompt on the terminal: "password to unlock <keychain>: ". */
export const KEYCHAIN_PROMPT = /password to unlock [^\n]*:\s*$/i

/** Where tmux lives: Homebrew's path first (not on PATH in a non-login SSH exec), then PATH. Prints nothing without tmux. */
export const FIND_TMUX = 'if [ -x /opt/homebrew/bin/tmux ]; then echo /opt/homebrew/bin/tmux; else t=$(command -v tmux) && [ -x "$t" ] && echo "$t" || true; fi'

/** Room on tmux's status line for "[session-name] " (see TMUX_SETUP). */
export const TMUX_STATUS_LEFT = 24

/** How long tmux waits after an Escape for the rest of a key sequence (see TMUX_SETUP). */
export const TMUX_ESCAPE_MS = 10

/**
 * tmux commands CAL runs before it creates or attaches a session (as one tmux command list, `;` between):
 * - a terminal-overrides entry: no alternate screen, and scrolling by line feeds, for xterm-256color clients
 *   (CAL's terminal). tmux otherwise draws in the alternate screen, which has no scrollback: xterm.js then turns
 *   the mouse wheel into arrow keys (the shell's history, the agent's menus) instead of scrolling, and its
 *   scrollback stays empty. With it, lines that scroll off the top of tmux's pane go into xterm's scrollback as in
 *   a local shell (up to a screenful per redraw: tmux's own history, Ctrl-b [, keeps everything). `indn@` makes
 *   tmux scroll with line feeds, which xterm keeps, rather than CSI S, which it drops. A fixed array index sets it
 *   once however often CAL attaches and leaves the user's own entries be; `-q` lets a tmux too old for array
 *   indexes go on without it (an error would skip the rest of the command list);
 * - tmux's history-limit raised to SCROLLBACK_LINES for sessions created from now on, never lowered (a tmux too
 *   old for the comparison leaves it): a tab reattached to a session starts with that much of its history;
 * - tmux's escape-time lowered to TMUX_ESCAPE_MS (never raised): by default tmux holds every Escape for 500 ms to
 *   see whether a key sequence follows, so Esc reached vim, and the agent's Esc-to-interrupt, half a second late.
 *   Over SSH a sequence's bytes arrive together, so 10 ms tells them apart;
 * - tmux's status-left-length raised to TMUX_STATUS_LEFT (never lowered): its default of 10 cut the status line's
 *   "[cal-agent] " to "[cal-agent" and ran the window list into it.
 */
export const TMUX_SETUP: readonly string[] = [
  'start-server',
  ';',
  'set-option',
  '-sq',
  'terminal-overrides[1970]',
  'xterm-256color:smcup@:rmcup@:indn@',
  ';',
  'if-shell',
  '-F',
  `#{e|<:#{history-limit},${SCROLLBACK_LINES}}`,
  `set-option -g history-limit ${SCROLLBACK_LINES}`,
  ';',
  'if-shell',
  '-F',
  `#{e|>:#{escape-time},${TMUX_ESCAPE_MS}}`,
  `set-option -s escape-time ${TMUX_ESCAPE_MS}`,
  ';',
  'if-shell',
  '-F',
  `#{e|<:#{status-left-length},${TMUX_STATUS_LEFT}}`,
  `set-option -g status-left-length ${TMUX_STATUS_LEFT}`,
]

/** What xterm.js draws and tmux passes on only when told: 24-bit colour, curly and coloured underlines, overline, strikethrough. */
const TERMINAL_FEATURES = 'RGB,usstyle,overline,strikethrough'

/**
 * Runs tmux `args` (a command list ending in new-session) with TERMINAL_FEATURES for this client only, and
 * COLORTERM=truecolor for the session it creates, as terminals set it (programs read it to use 24-bit colour), on
 * tmux 3.2 and newer (`-T`, `new-session -e`); as before on an older tmux. Only CAL's own terminal: a
 * terminal-overrides entry would give them to every xterm-256color client, such as Terminal.app before macOS 26
 * under `cal ssh`, which has no 24-bit colour.
 */
function withTerminalFeatures(tmux: string, args: string[], prefix = ''): string {
  const rich = shellJoin([tmux, '-T', TERMINAL_FEATURES, ...args, '-e', 'COLORTERM=truecolor'])
  return `if ${shellJoin([tmux, '-T', 'RGB', '-V'])} >/dev/null 2>&1; then ${prefix}${rich}; else ${prefix}${shellJoin([tmux, ...args])}; fi`
}

/** The command that attaches (or creates) tmux session `name` for CAL's terminal, after TMUX_SETUP. */
export function attachTmuxCommand(tmux: string, name: string): string {
  return withTerminalFeatures(tmux, ['-u', ...TMUX_SETUP, ';', 'new-session', '-A', '-s', name], 'exec ')
}

/** `tmux ARGS` (ending in `new-session -d …`) for CAL's terminal (see withTerminalFeatures), then ` || exit 1`. */
export function createTmuxSessionCommand(tmux: string, args: string[]): string {
  return `{ ${withTerminalFeatures(tmux, args)}; } || exit 1;`
}

/**
 * Whether session `name`'s pane shows a full-screen program (its alternate screen) or tmux's copy mode ("1" or "0"),
 * how many lines its history holds and how wide the pane is; then, for each of `depths`, the one line that far above
 * the screen (1 = the line just above it; tmux prints exactly one line for each, its oldest line for a depth beyond
 * its history); then the last `lines` lines of that history (none for 0), all as plain text.
 */
export function tmuxTailCommand(tmux: string, name: string, lines: number, depths: number[] = []): string {
  const target = `=${name}:`
  const capture = (from: number, to: number) => shellJoin([tmux, 'capture-pane', '-p', '-S', String(-from), '-E', String(-to), '-t', target])
  return [
    shellJoin([tmux, 'display-message', '-p', '-t', target, '#{?alternate_on,1,#{?pane_in_mode,1,0}} #{history_size} #{pane_width}']),
    ...depths.map((d) => capture(d, d)),
    ...(lines > 0 ? [capture(lines, 1)] : []),
  ].join(' && ')
}

/**
 * The scrollback tmux keeps for session `name` (the lines above its screen, with their colours), for a terminal
 * that attaches to it afresh. Exits non-zero when there is no such session. Nothing at all while that history is
 * empty: tmux clamps `-E -1` to the screen's first line then, and printed that. A line tmux wrapped comes as one
 * (-J), which xterm wraps again: as rows ended by line breaks, a long URL was copied with them and opened cut short.
 */
export function tmuxHistoryCommand(tmux: string, name: string): string {
  const size = shellJoin([tmux, 'display-message', '-p', '-t', `=${name}:`, '#{history_size}'])
  return `h=$(${size}) || exit; [ "$h" = 0 ] || ${shellJoin([tmux, 'capture-pane', '-p', '-e', '-J', '-S', '-', '-E', '-1', '-t', `=${name}:`])}`
}

/** Has tmux draw session `name`'s screen again on every client attached to it (a redraw, not a clear). */
export function refreshTmuxClientsScript(tmux: string, name: string): string {
  const t = shellQuote(tmux)
  return `for c in $(${t} list-clients -t ${shellQuote(`=${name}`)} -F '#{client_name}'); do ${t} refresh-client -t "$c"; done`
}

/**
 * Every tmux session in the VM, one per line: `created|attached|command|name` (creation time in epoch seconds,
 * attached clients, the program in the foreground of its active pane, the session's name). tmux prints a tab as "_"
 * without a terminal, hence "|". The name comes last and keeps whatever it holds ("|" and spaces included, in a
 * session made by hand); a program's name has no "|". Prints nothing when tmux is missing or no tmux server runs.
 */
/** What a tmux pane runs while its shell waits at the prompt (`-bash` for a login shell reads as bash). */
export const SHELL_NAMES: readonly string[] = ['bash', 'zsh', 'sh', 'dash', 'fish', 'ksh', 'tcsh', 'csh', 'login']

export const LIST_TMUX_SESSIONS = `t=$(${FIND_TMUX}); [ -n "$t" ] || exit 0; "$t" list-sessions -F '#{session_created}|#{session_attached}|#{pane_current_command}|#{session_name}' 2>/dev/null || true`

/**
 * Ends one tmux session (`name` is a validated session name; it is quoted here all the same). Exit 0: it is gone
 * (or never was), 3: no tmux, 1: it is still there. Tried for up to 2 s: a tab's attach (`new-session -A`) that was
 * still on its way when the session was killed creates it again, and is ended in turn.
 */
export function killTmuxSessionScript(name: string): string {
  const target = shellQuote(`=${name}`)
  return `t=$(${FIND_TMUX}); [ -n "$t" ] || exit 3; i=0; while [ $i -lt 10 ]; do "$t" kill-session -t ${target} 2>/dev/null; sleep 0.2; "$t" has-session -t ${target} 2>/dev/null || exit 0; i=$((i+1)); done; exit 1`
}

/** The error when a tmux session could not be ended: the programs in it may still run. */
export function sessionNotEnded(vm: string, name: string, why: string): CalError {
  return new CalError('SSH_DISCONNECTED', `Could not end "${name}" in ${vm}: ${why}. What runs in it may still be running.`, `Try again once ${vm} answers, from Sessions or by closing the tab with "End session".`, { vm, name })
}
