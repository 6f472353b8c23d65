import { z } from 'zod'

/** Stable error codes: the UI and the CLI branch on these, never on message text. */
export const ErrorCode = z.enum([
  'INVALID_INPUT',
  'NAME_INVALID',
  'TART_NOT_FOUND',
  'TART_FAILED',
  'VM_NOT_FOUND',
  'VM_EXISTS',
  'VM_NOT_RUNNING',
  'VM_ALREADY_RUNNING',
  'VM_LIMIT_REACHED',
  'VM_PROTECTED',
  'VM_BUSY',
  'VM_BOOT_TIMEOUT',
  'VM_DIED',
  'SNAPSHOT_NOT_FOUND',
  'SNAPSHOT_EXISTS',
  'NO_SESSION_SNAPSHOT',
  'IMAGE_NOT_FOUND',
  'DISK_FULL',
  'CONFIRMATION_REQUIRED',
  'GIT_RISK',
  'SSH_AUTH_FAILED',
  'SSH_HOST_KEY_MISMATCH',
  'SSH_UNREACHABLE',
  'SSH_TIMEOUT',
  'SSH_DISCONNECTED',
  'SSH_BUSY',
  'TERMINAL_NOT_FOUND',
  'TASK_NOT_FOUND',
  'CANCELLED',
  'SETTINGS_INVALID',
  'FORBIDDEN',
  'INTERNAL',
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const CalErrorData = z.object({
  code: ErrorCode,
  message: z.string(),
  hint: z.string().default(''),
  /** Extra facts the UI can show, e.g. the names of the running VMs or a tool's stderr. */
  details: z.record(z.string(), z.unknown()).optional(),
})
export type CalErrorData = z.infer<typeof CalErrorData>

/** The one error type that crosses every boundary: what failed, why, and what to do. */
export class CalError extends Error {
  readonly code: ErrorCode
  readonly hint: string
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, hint = '', details?: Record<string, unknown>) {
    super(message)
    this.name = 'CalError'
    this.code = code
    this.hint = hint
    this.details = details
  }

  toData(): CalErrorData {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.details ? { details: this.details } : {}) }
  }

  static from(err: unknown): CalError {
    if (err instanceof CalError) return err
    if (err && typeof err === 'object' && 'name' in err && err.name === 'AbortError') {
      return new CalError('CANCELLED', 'The operation was cancelled.')
    }
    const message = err instanceof Error ? err.message : String(err)
    return new CalError('INTERNAL', message, 'This is a bug in CAL: please report it, with what you were doing and this message.')
  }
}

/** Every command answers with this envelope, so errors survive any transport intact. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CalErrorData }
