import { NAME_PATTERN, VmName } from '../../shared/names'

/** The message for a name as it is typed; empty when the name is fine (or empty and optional). */
export function nameError(name: string, taken: string[], what: string, optional: boolean): string {
  const trimmed = name.trim()
  if (!trimmed) return optional ? '' : `Give the ${what} a name.`
  if (!NAME_PATTERN.test(trimmed)) {
    const parsed = VmName.safeParse(trimmed)
    return parsed.success ? '' : (parsed.error.issues[0]?.message ?? 'That name is not allowed.')
  }
  if (taken.includes(trimmed)) return `A ${what} named "${trimmed}" already exists.`
  return ''
}

export const snapshotNameError = (name: string, taken: string[]) => nameError(name, taken, 'snapshot', true)
export const vmNameError = (name: string, taken: string[]) => nameError(name, taken, 'workspace', false)
