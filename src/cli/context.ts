import type { CommandHandlers } from '../shared/api'
import type { EngineEvents } from '../core/events'

/** What every `cal` verb gets: the engine's command handlers and events, output writers and the global flags. */
export interface CliContext {
  /** The same engine handlers the app uses (through createEngine). */
  handlers: CommandHandlers
  events: EngineEvents
  calHome: string
  /** From --tart, else CAL_TART, else undefined (`tart` on PATH). */
  tartPath: string | undefined
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** --json: machine-readable output on stdout. */
  json: boolean
  /** --yes: confirm destructive operations without asking. */
  yes: boolean
  /** stdin and stderr are terminals: prompts and live progress are allowed. */
  isTTY: boolean
  /** A person at a terminal can answer a question (stdin is a terminal), even with stderr redirected. */
  canAsk: boolean
  /**
   * Asks a yes/no question on the terminal (only called when canAsk); `context` is what it is about. An empty answer
   * is no, unless `defaultYes` (for a question whose yes loses nothing, such as launching the agent).
   */
  confirm: (question: string, context?: string, defaultYes?: boolean) => Promise<boolean>
}

/** The signature every command module exports (src/cli/commands/<verb>.ts). */
export type CliCommand = (argv: string[], ctx: CliContext) => Promise<number>
