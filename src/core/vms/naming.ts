import { CalError } from '../../shared/errors'
import { DOUBLE_DOT, NAME_PATTERN, reservedNameReason, reservedPart } from '../../shared/names'
import type { VmRole } from '../../shared/vm'

/** A snapshot is a Tart clone named "<vm>.snap.<snapshot>"; CAL_HOME records which VM and kind it belongs to. */
export function snapshotTartName(vm: string, snapshot: string): string {
  return `${vm}.snap.${snapshot}`
}

/** Restore's scratch names: the snapshot is cloned to TMP first; the working VM is parked at OLD during the swap. */
export function restoreTempName(vm: string): string {
  return `${vm}.restore-tmp`
}

const OLD_SUFFIX = '.restore-old'

export function restoreOldName(vm: string): string {
  return `${vm}${OLD_SUFFIX}`
}

/** The working VM a restore has parked at OLD, or null: between the swap's two renames it is the workspace. */
export function parkedWorkingName(name: string): string | null {
  return name.endsWith(OLD_SUFFIX) ? name.slice(0, -OLD_SUFFIX.length) : null
}

/** Tart VMs CAL keeps for itself and never lists as workspaces. */
export function isInternalName(name: string): boolean {
  return name.includes('.snap.') || name.endsWith('.restore-tmp') || name.endsWith(OLD_SUFFIX)
}

/** A VM's or snapshot's name, as given; `of` 'snapshot' for a snapshot about to be made (see reservedPart). */
export function validateName(name: string, what = 'name', of: 'vm' | 'snapshot' = 'vm'): string {
  if (!NAME_PATTERN.test(name)) {
    throw new CalError('NAME_INVALID', `"${name}" is not a valid ${what}.`, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.')
  }
  if (name.includes('..')) throw new CalError('NAME_INVALID', `"${name}" is not a valid ${what}: ${DOUBLE_DOT.toLowerCase()}.`, 'Pick a name without "..".')
  const reserved = reservedPart(name, of)
  if (reserved) throw new CalError('NAME_INVALID', `"${name}" is not a valid ${what}: ${reservedNameReason(name, reserved)}.`, 'Pick another name.')
  return name
}

/** The seeds' fixed names keep their roles even without CAL's facts (e.g. VMs made by the old scripts). */
export function defaultRole(name: string): VmRole {
  if (name === 'cal-clean') return 'clean'
  if (name === 'cal-dev') return 'dev'
  if (name === 'cal-init') return 'init'
  return 'workspace'
}

/** "session-2026-01-17-143005" in UTC. */
export function autoSnapshotName(kind: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${kind}-${now.getUTCFullYear()}-${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`
}
