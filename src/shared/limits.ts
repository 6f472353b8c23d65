import { z } from 'zod'

/**
 * The longest strings a window may hand the engine, so that a broken or hostile page cannot make the main process
 * keep (parse, store, pass to Tart or a shell) strings of any size. Each is far above any real value.
 */
export const LIMITS = {
  /** A terminal's or a task's id (CAL makes UUIDs). */
  id: 128,
  /** A file-system path (macOS allows 1,024 bytes; Linux 4,096). */
  path: 4096,
  /** A link to open (a terminal's link, a dev server's address, vnc://). */
  url: 8192,
  /** An OCI image reference (registry/repository:tag or @sha256:…). */
  imageRef: 512,
  /** The VM account's password. */
  password: 1024,
  /** One message of terminal input: the page sends a large paste in pieces of 64 Ki characters (INPUT_CHUNK). */
  terminalInput: 1 << 20,
  /**
   * What a tab keeps of a session that ended (see TerminalRedraw): its last lines, as plain text. At most 3 bytes of
   * UTF-8 per character, so one message of it stays under the browser host's 2 MiB frame.
   */
  endedSession: 512 * 1024,
  /** A git safety report's time (an ISO 8601 timestamp). */
  timestamp: 64,
  /** Workspaces with an agent of their own in the settings. */
  workspaceAgents: 1000,
} as const

const count = (n: number) => n.toLocaleString('en-US')

/**
 * A string of at most `max` characters. The error says how long it was and what the limit is, never the value
 * itself (a password, a paste).
 */
export function boundedString(max: number): z.ZodString {
  return z.string().max(max, { error: (issue) => `too long (${count(String(issue.input).length)} characters; at most ${count(max)} are accepted)` })
}

/** The `checkedAt` of a git safety report a confirmation was given to (see RestoreSnapshotInput). */
export const CheckedAt = boundedString(LIMITS.timestamp)
