import type { CalApi } from '../../shared/api'
import type { CalErrorData, Result } from '../../shared/errors'

/** The renderer's only door to the engine. */
export function cal(): CalApi {
  return window.cal
}

/** A failed command, carrying the engine's error exactly as it was sent (code, message, hint, details). */
export class UiError extends Error {
  readonly data: CalErrorData
  constructor(data: CalErrorData) {
    super(data.message)
    this.name = 'UiError'
    this.data = data
  }
}

/** Resolves to the value, or throws a UiError: also when the transport itself failed. */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await pending
  } catch (err) {
    throw new UiError({
      code: 'INTERNAL',
      message: `CAL's engine did not answer: ${err instanceof Error ? err.message : String(err)}`,
      hint: 'Restart CAL. If it keeps happening, please report it with this message.',
    })
  }
  if (!result.ok) throw new UiError(result.error)
  return result.value
}

export function errorData(err: unknown): CalErrorData {
  if (err instanceof UiError) return err.data
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), hint: '' }
}
