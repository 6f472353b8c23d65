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
  /** A file of CAL's own that it cannot use (its SSH key, its pinned host keys): a problem on this Mac, not in the VM. */
  'CAL_FILE_DAMAGED',
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
  /** What to do, for the command line: may name `cal` verbs and flags. */
  hint: z.string().default(''),
  /** The same advice for the app's window and tray, naming its buttons and views; absent when `hint` suits both. */
  appHint: z.string().optional(),
  /** Extra facts the UI can show, e.g. the names of the running VMs or a tool's stderr. */
  details: z.record(z.string(), z.unknown()).optional(),
})
export type CalErrorData = z.infer<typeof CalErrorData>

/**
 * What to do, worded twice when the command line and the app differ: `cli` may name `cal` verbs and flags
 * (`cal start dev`, --yes), `app` names what the window offers instead (its Start button, the Snapshots tab), since
 * someone using the app may not have `cal` on their PATH at all.
 */
export interface Hint {
  cli: string
  app: string
}

/** The advice to show in the app's window, tray and notifications. */
export function appHintOf(e: { hint: string; appHint?: string | undefined }): string {
  return e.appHint || e.hint
}

/** The one error type that crosses every boundary: what failed, why, and what to do. */
export class CalError extends Error {
  readonly code: ErrorCode
  /** The command line's wording (see Hint). */
  readonly hint: string
  /** The app's wording, '' when it is the same as `hint`. */
  readonly appHint: string
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, hint: string | Hint = '', details?: Record<string, unknown>) {
    super(message)
    this.name = 'CalError'
    this.code = code
    this.hint = typeof hint === 'string' ? hint : hint.cli
    this.appHint = typeof hint === 'string' || hint.app === hint.cli ? '' : hint.app
    this.details = details
  }

  /** Both wordings, for an error that wraps this one and keeps its advice. */
  get hints(): Hint {
    return { cli: this.hint, app: this.appHint || this.hint }
  }

  toData(): CalErrorData {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.appHint ? { appHint: this.appHint } : {}),
      ...(this.details ? { details: this.details } : {}),
    }
  }

  static from(err: unknown): CalError {
    if (err instanceof CalError) return err
    if (err && typeof err === 'object' && 'name' in err && err.name === 'AbortError') {
      return new CalError('CANCELLED', 'The operation was cancelled.')
    }
    const message = err instanceof Error ? err.message : String(err)
    // A full disk or quota is the machine's state, not a bug: wherever CAL met it (its records, logs, a lock).
    const errno = err && typeof err === 'object' && 'code' in err ? (err as { code: unknown }).code : undefined
    if (errno === 'ENOSPC' || errno === 'EDQUOT') {
      const path = err && typeof err === 'object' && 'path' in err && typeof err.path === 'string' ? err.path : null
      return new CalError('DISK_FULL', `The disk is full: CAL could not write ${path ?? 'its data'}.`, 'Free some space, then try again.', path ? { path } : undefined)
    }
    return new CalError('INTERNAL', message, 'This is a bug in CAL: please report it, with what you were doing and this message.')
  }
}

/** Every command answers with this envelope, so errors survive any transport intact. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CalErrorData }
