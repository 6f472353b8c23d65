import { z } from 'zod'
import {
  commands,
  sends,
  type CommandHandlers,
  type CommandName,
  type SendHandlers,
  type SendName,
} from '../shared/api'
import { CalError, type Result } from '../shared/errors'

/**
 * The one gatekeeper between a window and the engine, free of Electron so the browser host uses it too:
 * it parses every input with the contract's schema and turns every failure into a CalError value.
 */
export interface Router {
  invoke(channel: string, raw: unknown): Promise<Result<unknown>>
  send(channel: string, raw: unknown): void
}

export function createRouter(handlers: CommandHandlers, sendHandlers: SendHandlers, log: (msg: string) => void = () => {}): Router {
  return {
    async invoke(channel, raw) {
      if (!Object.hasOwn(commands, channel)) {
        return { ok: false, error: new CalError('INVALID_INPUT', `Unknown channel "${channel}".`).toData() }
      }
      const name = channel as CommandName
      const parsed = commands[name].input.safeParse(raw ?? {})
      if (!parsed.success) return { ok: false, error: invalidInput(parsed.error).toData() }
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
      if (!Object.hasOwn(sends, channel)) return
      const name = channel as SendName
      const parsed = sends[name].safeParse(raw)
      if (!parsed.success) return
      try {
        ;(sendHandlers[name] as (payload: unknown) => void)(parsed.data)
      } catch (err) {
        log(`${channel} failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    },
  }
}

/** INVALID_INPUT naming the field that is wrong. */
export function invalidInput(error: z.ZodError): CalError {
  const issue = error.issues[0]
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'input'
  return new CalError('INVALID_INPUT', `Invalid ${field}: ${issue?.message ?? 'bad value'}`, `Check the value of "${field}".`, {
    field,
  })
}
