import { z } from 'zod'
import { type Result } from './errors'
import { GitSafetyReport } from './git'
import { boundedString, LIMITS } from './limits'
import { AppCommand } from './menu'
import { NavTarget, Notice } from './notify'
import { SettingsPatch, SettingsView } from './settings'
import {
  CreateSnapshotInput,
  DeleteSnapshotInput,
  DiskUsage,
  RestoreSnapshotInput,
  RestoreStarted,
  RollbackInput,
  Snapshot,
} from './snapshot'
import { Task, TaskRef, TaskStarted } from './task'
import {
  CloseTerminalInput,
  EndTmuxSessionInput,
  LaunchAgentInput,
  LaunchInfo,
  LaunchInfoInput,
  OpenTerminalInput,
  TerminalAck,
  TerminalBell,
  TerminalRedraw,
  TerminalRef,
  TerminalRetry,
  TerminalProgram,
  TerminalTail,
  TerminalTailInput,
  TerminalBellEvent,
  TerminalData,
  TerminalInput,
  TerminalResize,
  TerminalSession,
  TerminalStateEvent,
  VmTmuxSession,
} from './terminal'
import { CreateVmInput, DeleteVmInput, HostStatus, StopVmInput, VmInfo, VmRef } from './vm'
import { VmName } from './names'

const None = z.object({}).strict().default({})
const Ok = z.object({ ok: z.literal(true) })

/**
 * Request/response channels. The name is `namespace:verb`; `window.cal.namespace.verb(input)` calls it.
 * This map is the single source of channel names: main, preload, the browser host and the UI all derive from it.
 */
export const commands = {
  'app:status': { input: None, output: HostStatus },
  'vms:list': { input: None, output: z.array(VmInfo) },
  /** Running macOS VMs the list leaves out (a snapshot's copy started by hand): they hold one of the two slots. */
  'vms:unlisted': { input: None, output: z.array(z.string()) },
  'vms:get': { input: VmRef, output: VmInfo },
  'vms:create': { input: CreateVmInput, output: TaskStarted },
  'vms:start': { input: VmRef, output: TaskStarted },
  'vms:stop': { input: StopVmInput, output: TaskStarted },
  'vms:restart': { input: VmRef, output: TaskStarted },
  'vms:suspend': { input: VmRef, output: TaskStarted },
  'vms:delete': { input: DeleteVmInput, output: TaskStarted },
  'vms:sshCommand': { input: VmRef, output: z.object({ command: z.string() }) },
  'snapshots:list': { input: z.object({ vm: VmName }), output: z.array(Snapshot) },
  'snapshots:create': { input: CreateSnapshotInput, output: TaskStarted },
  'snapshots:restore': { input: RestoreSnapshotInput, output: RestoreStarted },
  'snapshots:delete': { input: DeleteSnapshotInput, output: TaskStarted },
  'snapshots:rollback': { input: RollbackInput, output: RestoreStarted },
  'snapshots:diskUsage': { input: None, output: DiskUsage },
  'git:check': { input: VmRef, output: GitSafetyReport },
  'agent:launchInfo': { input: LaunchInfoInput, output: LaunchInfo },
  'agent:launch': { input: LaunchAgentInput, output: TerminalSession },
  'tasks:list': { input: None, output: z.array(Task) },
  'tasks:cancel': { input: TaskRef, output: Ok },
  'terminal:open': { input: OpenTerminalInput, output: TerminalSession },
  'terminal:list': { input: None, output: z.array(TerminalSession) },
  'terminal:close': { input: CloseTerminalInput, output: Ok },
  'terminal:forgetHostKey': { input: VmRef, output: Ok },
  'terminal:sessions': { input: VmRef, output: z.array(VmTmuxSession) },
  'terminal:endSession': { input: EndTmuxSessionInput, output: Ok },
  'terminal:clearScrollback': { input: TerminalRef, output: Ok },
  'terminal:tail': { input: TerminalTailInput, output: TerminalTail },
  /** Reconnect now rather than when the backoff says (the banner's "Retry now"). */
  'terminal:retry': { input: TerminalRef, output: TerminalRetry },
  /** What closing the tab would end: the Host tab's foreground program (a VM tab only detaches: always null). */
  'terminal:program': { input: TerminalRef, output: TerminalProgram },
  'settings:get': { input: None, output: SettingsView },
  'settings:set': { input: SettingsPatch, output: SettingsView },
  'shell:openExternal': { input: z.object({ url: boundedString(LIMITS.url).url() }), output: Ok },
} as const

/** One-way messages from the UI (no reply): keystrokes, resizes and acknowledgements must not round-trip. */
export const sends = {
  'terminal:input': TerminalInput,
  'terminal:resize': TerminalResize,
  'terminal:ack': TerminalAck,
  'terminal:bell': TerminalBell,
  'terminal:redraw': TerminalRedraw,
} as const

/**
 * The window's own link to the engine broke or came back. Only the browser host's page sends it (its WebSocket can
 * drop; Electron's IPC cannot): whatever the engine said meanwhile was lost, so on `connected: true` the window
 * loads its state again and has its terminals redrawn.
 */
export const EngineLink = z.object({ connected: z.boolean() })

/** Events from the engine to every window. */
export const events = {
  'vms:changed': z.array(VmInfo),
  'vms:unlisted': z.array(z.string()),
  'tasks:updated': Task,
  'terminal:data': TerminalData,
  'terminal:state': TerminalStateEvent,
  'terminal:bell': TerminalBellEvent,
  'settings:changed': SettingsView,
  'notice': Notice,
  'app:navigate': NavTarget,
  'app:command': AppCommand,
  'app:link': EngineLink,
} as const

export type CommandName = keyof typeof commands
export type SendName = keyof typeof sends
export type EventName = keyof typeof events

export type CommandInput<K extends CommandName> = z.input<(typeof commands)[K]['input']>
export type CommandParsedInput<K extends CommandName> = z.output<(typeof commands)[K]['input']>
export type CommandOutput<K extends CommandName> = z.output<(typeof commands)[K]['output']>
export type SendPayload<K extends SendName> = z.output<(typeof sends)[K]>
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>

export const commandNames = Object.keys(commands) as CommandName[]
export const sendNames = Object.keys(sends) as SendName[]
export const eventNames = Object.keys(events) as EventName[]

/** What the engine implements, one function per command, with inputs already parsed. */
export type CommandHandlers = { [K in CommandName]: (input: CommandParsedInput<K>) => Promise<CommandOutput<K>> }
export type SendHandlers = { [K in SendName]: (payload: SendPayload<K>) => void }

type Namespace<K extends string> = K extends `${infer N}:${string}` ? N : never
type Verb<K extends string, N extends string> = K extends `${N}:${infer V}` ? V : never

/** The shape of `window.cal`: named verbs grouped by namespace, plus `on(event, listener)` returning a disposer. */
export type CalApi = {
  [N in Namespace<CommandName | SendName>]: {
    [V in Verb<CommandName, N>]: (input?: CommandInput<`${N}:${V}` & CommandName>) => Promise<Result<CommandOutput<`${N}:${V}` & CommandName>>>
  } & {
    [V in Verb<SendName, N>]: (payload: SendPayload<`${N}:${V}` & SendName>) => void
  }
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** Split `namespace:verb` into its parts (used by the preload and the browser host client to build `window.cal`). */
export function splitChannel(channel: string): [string, string] {
  const i = channel.indexOf(':')
  return [channel.slice(0, i), channel.slice(i + 1)]
}
