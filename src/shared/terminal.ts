import { z } from 'zod'
import { AgentId } from './vm'
import { boundedString, LIMITS } from './limits'
import { ListedTmuxSessionName, TmuxSessionName, VmName } from './names'

/** The scrollback CAL's terminal keeps (xterm's), and so the history CAL asks tmux to keep at least. */
export const SCROLLBACK_LINES = 10_000

export const TerminalKind = z.enum(['agent', 'shell', 'host'])
export type TerminalKind = z.infer<typeof TerminalKind>

export const TerminalState = z.enum(['connecting', 'connected', 'reconnecting', 'closed'])
export type TerminalState = z.infer<typeof TerminalState>

/** While a terminal reconnects: which attempt is next or under way, and when it starts. */
export const ReconnectInfo = z.object({
  /** The attempt waiting to start or under way, counted from 1 since the connection dropped. */
  attempt: z.number().int().positive(),
  /** Milliseconds until that attempt starts, as the engine sent the event; null while it is under way. */
  retryInMs: z.number().int().nonnegative().nullable(),
  /** Keystrokes typed meanwhile are kept and sent once the same tmux session is back (not for a plain login shell). */
  keepsTyping: z.boolean(),
  /** The last attempt found the VM stopped (not suspended): it reattaches once the VM is started. */
  vmStopped: z.boolean().optional(),
})
export type ReconnectInfo = z.infer<typeof ReconnectInfo>

export const TerminalSession = z.object({
  id: z.string(),
  /** null for the Host tab (a local shell). */
  vm: VmName.nullable(),
  kind: TerminalKind,
  /** The tmux session name in the guest; null for host shells or when tmux is missing. */
  tmuxSession: z.string().nullable(),
  title: z.string(),
  state: TerminalState,
  cols: z.number().int(),
  rows: z.number().int(),
  /** A visible notice, e.g. "tmux not found: plain login shell, it will not survive a disconnect". */
  notice: z.string().nullable(),
  /** What the state says (why it reconnects, why it closed), as its last 'terminal:state' event said it. */
  message: z.string().nullable().optional(),
  /** While reconnecting: the attempt, with the time left until it starts as of this answer (see ReconnectInfo). */
  reconnect: ReconnectInfo.nullable().optional(),
})
export type TerminalSession = z.infer<typeof TerminalSession>

/** A tmux session in a VM, whether or not CAL shows it in a tab (closing a tab detaches: the session runs on). */
export const VmTmuxSession = z.object({
  name: ListedTmuxSessionName,
  kind: z.enum(['agent', 'shell']),
  /** When tmux started it (ISO time), if tmux said. */
  createdAt: z.string().nullable(),
  /** Clients attached to it right now, CAL's own tab included. */
  clients: z.number().int().nonnegative(),
  /** The CAL terminal showing it, or null when it is detached from CAL. */
  openId: z.string().nullable(),
  /** The program working in it (its active pane's foreground program), or null when a shell waits at its prompt. */
  command: z.string().nullable(),
})
export type VmTmuxSession = z.infer<typeof VmTmuxSession>
export const EndTmuxSessionInput = z.object({ vm: VmName, name: ListedTmuxSessionName })

const Cols = z.number().int().min(2).max(1000)
const Rows = z.number().int().min(2).max(500)

export const OpenTerminalInput = z.object({
  vm: VmName.nullable(),
  kind: TerminalKind,
  /** tmux session name; defaults: "cal-agent" for the agent, "shell-N" for extra shells. */
  name: TmuxSessionName.optional(),
  cols: Cols,
  rows: Rows,
})
export type OpenTerminalInput = z.infer<typeof OpenTerminalInput>

/** A terminal's id, as a window sends it back. */
const TerminalId = boundedString(LIMITS.id)

/** detach leaves the tmux session running in the VM; end kills it. */
export const CloseTerminalInput = z.object({ id: TerminalId, mode: z.enum(['detach', 'end']).default('detach') })
export const TerminalInput = z.object({ id: TerminalId, data: boundedString(LIMITS.terminalInput) })
export const TerminalResize = z.object({ id: TerminalId, cols: Cols, rows: Rows })
/** The renderer acknowledges bytes it has written into xterm; main pauses the stream while too much is unacknowledged. */
export const TerminalAck = z.object({ id: TerminalId, bytes: z.number().int().nonnegative() })
/** Terminal output as UTF-8 bytes (never a split character); xterm decodes them itself. */
export const TerminalData = z.object({ id: z.string(), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected UTF-8 bytes') })
/** `reconnect` comes with state 'reconnecting' (optional: other states, and older senders, leave it out). */
export const TerminalStateEvent = z.object({
  id: z.string(),
  state: TerminalState,
  message: z.string().nullable(),
  reconnect: ReconnectInfo.nullable().optional(),
  /**
   * Connected to a new tmux session in place of one that ended (the VM restarted): what the window shows above it is
   * the old session's, which tmux no longer has, so the window keeps it above its redraws (see TerminalRedraw's lead).
   */
  sessionEnded: z.boolean().optional(),
})
/** One open terminal, by id. */
export const TerminalRef = z.object({ id: TerminalId })
/** Whether "Retry now" started an attempt: false when none was waiting (connected, closed, or one already under way). */
export const TerminalRetry = z.object({ started: z.boolean() })
/** The program in a terminal's foreground that closing its tab would end ("sleep", "vim"), or null. */
export const TerminalProgram = z.object({ program: z.string().nullable() })
/**
 * A window has a new xterm for this terminal, laid out at the size it last sent: a tab just opened or reattached,
 * or one a new window (or a reload) found open. The engine replaces what that xterm holds with tmux's scrollback
 * and has tmux draw the screen again, so nothing drawn for another size is left in it.
 */
export const TerminalRedraw = z.object({
  id: TerminalId,
  /**
   * Plain text the window keeps above tmux's scrollback, lines ended by CR LF: what a session that ended (the VM
   * restarted) showed, which only the window still has: its last lines, up to LIMITS.endedSession characters.
   */
  lead: boundedString(LIMITS.endedSession).optional(),
})
/**
 * The last `lines` lines above a tmux terminal's screen as tmux keeps them (plain text, trailing spaces trimmed), how
 * many lines it keeps there, and whether a full-screen program or tmux's copy mode has the pane: after a burst of output the page compares them
 * with its own scrollback to tell whether tmux skipped lines (see redrawAfterBurst in the renderer). With `lines` 0, only
 * the mode and sizes: the mouse wheel asks that before it scrolls (see wheel.ts in the renderer).
 */
export const TerminalTailInput = z.object({
  id: TerminalId,
  lines: z.number().int().min(0).max(1000),
  /** Single lines wanted from deeper in the history, as distances above the screen (1 = the line just above it). */
  depths: z.array(z.number().int().min(1).max(100_000)).max(8).default([]),
})
export const TerminalTail = z.object({
  fullScreen: z.boolean(),
  historySize: z.number().int().nonnegative(),
  lines: z.array(z.string()),
  /** The line at each asked depth, or null where the history is not that deep. */
  samples: z.array(z.string().nullable()).default([]),
  /** The pane's width in columns (its rows are that wide), or null when tmux did not say. */
  width: z.number().int().positive().nullable().default(null),
  /** The engine puts what a tab showed of a session a VM restart ended above this history in each redraw. */
  lead: z.boolean().default(false),
})
export type TerminalTail = z.infer<typeof TerminalTail>
/** The page heard a terminal's bell while CAL's window was not focused. */
export const TerminalBell = TerminalRef
/** The engine's word for it, with what a notification needs to say. */
export const TerminalBellEvent = z.object({ id: z.string(), vm: VmName.nullable(), title: z.string() })

export const LaunchAgentInput = z.object({
  vm: VmName,
  agent: AgentId.optional(),
  /** Take a session snapshot first (the launch confirmation's "Backup first"). */
  backupFirst: z.boolean().default(false),
  /**
   * Take no snapshot, not even the automatic one (the launch confirmation's answer to a failed snapshot). Optional
   * rather than defaulted, so code that calls the handler with parsed input need not name it.
   */
  skipSnapshot: z.boolean().optional(),
  cols: Cols,
  rows: Rows,
})

/** The launch confirmation's facts for VM `name`, about `agent` (else the workspace's agent from the settings). */
export const LaunchInfoInput = z.object({ name: VmName, agent: AgentId.optional() })

export const LaunchInfo = z.object({
  vm: VmName,
  vmState: z.string(),
  agent: AgentId,
  agentLabel: z.string(),
  isolated: z.boolean(),
  repository: z.string().nullable(),
  branch: z.string().nullable(),
  lastBackupAt: z.string().nullable(),
  autoSnapshot: z.boolean(),
  warning: z.string().nullable(),
  /** Whether the agent was signed in inside the VM (the files its sign-in leaves), or null when that is unknown. */
  signedIn: z.boolean().nullable().default(null),
  /** Where that was looked for ("~/.claude"). */
  signInPath: z.string().default(''),
  /** The command Launch types ("claude"). */
  command: z.string().default(''),
  /** Whether that command was found in the VM (a hint: see AGENT_INSTALLED_SCRIPT), or null when that is unknown. */
  installed: z.boolean().nullable().default(null),
  /** The program already at work in the agent's tmux session: Launch then shows it, with no snapshot. */
  running: z.string().nullable().default(null),
  /** A session snapshot shuts the VM down and starts it again (it runs and cannot be suspended, see VmInfo.suspendable). */
  snapshotShutsDown: z.boolean().default(false),
})
export type LaunchInfo = z.infer<typeof LaunchInfo>
