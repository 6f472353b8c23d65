import { DOUBLE_DOT, ImageRef, NAME_PATTERN, VmName, reservedNameReason, reservedPart } from '../../shared/names'

/** The message for a name as it is typed; empty when the name is fine (or empty and optional). */
export function nameError(name: string, taken: string[], what: string, optional: boolean): string {
  const trimmed = name.trim()
  if (!trimmed) return optional ? '' : `Give the ${what} a name.`
  if (!NAME_PATTERN.test(trimmed)) {
    const parsed = VmName.safeParse(trimmed)
    return parsed.success ? '' : (parsed.error.issues[0]?.message ?? 'That name is not allowed.')
  }
  if (trimmed.includes('..')) return `${DOUBLE_DOT}.`
  const reserved = reservedPart(trimmed, what === 'snapshot' ? 'snapshot' : 'vm')
  if (reserved) return `${reservedNameReason(trimmed, reserved)}: pick another.`
  if (taken.includes(trimmed)) return `A ${what} named "${trimmed}" already exists.`
  return ''
}

const IMAGE_EXAMPLE = 'ghcr.io/cirruslabs/macos-sequoia-base:latest'

/**
 * A new workspace's base: an image reference, or a VM on this Mac to clone (cal-clean → cal-dev → cal-init →
 * workspaces, as the engine takes it). `local` names the VMs there are; without it any valid VM name passes (a default
 * in Settings may name one made later).
 */
export function baseImageError(image: string, local?: string[]): string {
  const trimmed = image.trim()
  if (!trimmed) return `Name an image such as ${IMAGE_EXAMPLE}, or a VM on this Mac such as cal-clean.`
  if (ImageRef.safeParse(trimmed).success) return ''
  if (NAME_PATTERN.test(trimmed) && !reservedPart(trimmed)) {
    return !local || local.includes(trimmed) ? '' : `There is no VM named "${trimmed}" on this Mac: name one from the sidebar, or an image such as ${IMAGE_EXAMPLE}.`
  }
  return `Use an image reference such as ${IMAGE_EXAMPLE}, or the name of a VM on this Mac such as cal-clean.`
}

export const snapshotNameError = (name: string, taken: string[]) => nameError(name, taken, 'snapshot', true)
export const vmNameError = (name: string, taken: string[]) => nameError(name, taken, 'workspace', false)

/** What a number field accepts: a range, and how many decimals (none by default: whole numbers). */
export type NumberRule = { min: number; max: number; decimals?: number }

/** "a whole number from 1 to 64", "a number from 1 to 1024, to one decimal": the rule, for a field's message. */
export function numberRuleText({ min, max, decimals = 0 }: NumberRule): string {
  if (decimals === 0) return `a whole number from ${min} to ${max}`
  return `a number from ${min} to ${max}, to ${decimals === 1 ? 'one decimal' : `${decimals} decimals`}`
}

/**
 * What is wrong with a number field's text: 'required' when it is empty (never read as 0, which Number('') is),
 * 'invalid' when it breaks the rule, null when it is fine.
 */
export function numberProblem(text: string, rule: NumberRule): 'required' | 'invalid' | null {
  if (text.trim() === '') return 'required'
  const n = Number(text)
  const scale = 10 ** (rule.decimals ?? 0)
  if (!Number.isFinite(n) || Math.abs(Math.round(n * scale) - n * scale) > 1e-6 || n < rule.min || n > rule.max) return 'invalid'
  return null
}

/** The message under a number field in a form: empty when the value is fine. */
export function numberError(text: string, rule: NumberRule): string {
  const problem = numberProblem(text, rule)
  if (problem === 'required') return `Required: ${numberRuleText(rule)}.`
  if (problem === 'invalid') return `Use ${numberRuleText(rule)}.`
  return ''
}
