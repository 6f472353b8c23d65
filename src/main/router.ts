import { z } from 'zod'
import {
  commands,
  sends,
  type CommandHandlers,
  type CommandName,
  type SendHandlers,
  type SendName,
} from '../shared/api'
import { CalError, type ErrorCode, type Result } from '../shared/errors'

/**
 * The one gatekeeper between a window and the engine, free of Electron so the browser host uses it too:
 * it parses every input with the contract's schema and turns every failure into a CalError value.
 * Who may call it (the sender check) is the transport's job: main's IPC registration, the host's socket.
 */
export interface Router {
  invoke(channel: string, raw: unknown): Promise<Result<unknown>>
  send(channel: string, raw: unknown): void
}

/** Channels whose bad input has a more specific code than INVALID_INPUT. */
const inputErrorCodes: Partial<Record<CommandName, ErrorCode>> = { 'settings:set': 'SETTINGS_INVALID' }

export function createRouter(handlers: CommandHandlers, sendHandlers: SendHandlers, log: (msg: string) => void = () => {}): Router {
  // Bad one-way messages have no reply to carry an error: log them, but only once per channel so a
  // misbehaving renderer cannot flood the log with keystrokes.
  const loggedBadSends = new Set<string>()
  return {
    async invoke(channel, raw) {
      if (typeof channel !== 'string' || !Object.hasOwn(commands, channel)) {
        return { ok: false, error: new CalError('INVALID_INPUT', `Unknown command "${String(channel)}".`, 'This is a bug in the caller: use a channel from the contract.').toData() }
      }
      const name = channel as CommandName
      const parsed = commands[name].input.safeParse(raw ?? {})
      if (!parsed.success) return { ok: false, error: invalidInput(parsed.error, inputErrorCodes[name]).toData() }
      try {
        const handler = handlers[name] as (input: unknown) => Promise<unknown>
        return { ok: true, value: await handler(parsed.data) }
      } catch (err) {
        const calError = CalError.from(err)
        if (calError.code === 'INTERNAL') log(`${channel} failed: ${err instanceof Error ? err.stack : String(err)}`)
        return { ok: false, error: calError.toData() }
      }
    },
    send(channel, raw) {
      if (typeof channel !== 'string' || !Object.hasOwn(sends, channel)) return
      const name = channel as SendName
      const parsed = sends[name].safeParse(raw)
      if (!parsed.success) {
        if (!loggedBadSends.has(name)) log(`${channel}: ignored a message with ${invalidInput(parsed.error).message}`)
        loggedBadSends.add(name)
        return
      }
      try {
        ;(sendHandlers[name] as (payload: unknown) => void)(parsed.data)
      } catch (err) {
        log(`${channel} failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    },
  }
}

/** Longest part of a field's path an error repeats: a record's key is the page's own string, of any length. */
const MAX_PATH_PART = 64

const pathPart = (part: PropertyKey) => {
  const text = String(part)
  return text.length > MAX_PATH_PART ? `${text.slice(0, MAX_PATH_PART)}…` : text
}

/** INVALID_INPUT (or a channel's own code) naming the field that is wrong. */
export function invalidInput(error: z.ZodError, code: ErrorCode = 'INVALID_INPUT'): CalError {
  const issue = error.issues[0]
  const field = issue && issue.path.length > 0 ? issue.path.map(pathPart).join('.') : 'input'
  return new CalError(code, `Invalid ${field}: ${issue?.message ?? 'bad value'}`, `Check the value of "${field}".`, {
    field,
  })
}
