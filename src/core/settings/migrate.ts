import { z } from 'zod'
import { CalError } from '../../shared/errors'
import { defaultSettings, NotificationKind, Settings, SettingsPatch, SETTINGS_VERSION } from '../../shared/settings'
import { VM_RESOURCES } from '../../shared/vm'

/** What reading a stored settings object produced: the settings to use, and what had to change to get them. */
export interface MigrationResult {
  settings: Settings
  /** The stored object differs from `settings` (migrated, defaults added, or values reset): write it back. */
  changed: boolean
  /** Top-level keys whose stored value was invalid and was reset to its default (the original is backed up). */
  resetKeys: string[]
  /** The version the stored object claimed (0 when it had none). */
  fromVersion: number
}

type Raw = Record<string, unknown>
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Migrations from version N to N+1. Version 0 is the pre-app `~/.cal/config.yaml` layout (seen as JSON):
 * `isolation.defaults.vm.{cpu,memory,disk_size,base_image}`, `isolation.snapshots.*`, `output.sync_dir`.
 */
const migrations: Record<number, (raw: Raw) => Raw> = {
  0: (raw) => {
    const isolation = isObject(raw.isolation) ? raw.isolation : {}
    const defaults = isObject(isolation.defaults) ? isolation.defaults : {}
    const vm = isObject(defaults.vm) ? defaults.vm : {}
    const snaps = isObject(isolation.snapshots) ? isolation.snapshots : {}
    const output = isObject(defaults.output) ? defaults.output : isObject(raw.output) ? raw.output : {}
    const { isolation: _i, output: _o, version: _v, ...rest } = raw
    const next: Raw = { ...rest, version: 1 }
    const vmDefaults = pick({ cpu: vm.cpu, memoryMb: vm.memory, diskGb: vm.disk_size, baseImage: vm.base_image })
    if (Object.keys(vmDefaults).length > 0) next.vmDefaults = { ...(isObject(rest.vmDefaults) ? rest.vmDefaults : {}), ...vmDefaults }
    const snapshots = pick({
      autoAtSessionStart: snaps.auto_snapshot_on_session_start,
      keep: snaps.max_auto_snapshots,
      maxAgeDays: snaps.auto_cleanup_after_days,
    })
    if (Object.keys(snapshots).length > 0) next.snapshots = { ...(isObject(rest.snapshots) ? rest.snapshots : {}), ...snapshots }
    if (typeof output.sync_dir === 'string' && next.outputFolder === undefined) next.outputFolder = output.sync_dir
    return next
  },
}

function pick(o: Raw): Raw {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}

/**
 * A hand-edited file may list only some notification kinds: the others keep their default (on). A VM size stored by
 * an older CAL, which allowed 1 core and 1 GB, is brought into the range a VM can be created with (VM_RESOURCES),
 * rather than the whole group (base image included) being reset.
 */
function normalize(raw: Raw): Raw {
  let out = raw
  if (isObject(out.notifications) && isObject(out.notifications.kinds)) {
    const kinds = Object.fromEntries(NotificationKind.options.map((k) => [k, true]))
    out = { ...out, notifications: { ...out.notifications, kinds: { ...kinds, ...out.notifications.kinds } } }
  }
  if (isObject(out.vmDefaults)) {
    const vm: Raw = { ...out.vmDefaults }
    for (const key of ['cpu', 'memoryMb', 'diskGb'] as const) {
      const v = vm[key]
      const { min, max } = VM_RESOURCES[key]
      if (typeof v === 'number' && Number.isInteger(v)) vm[key] = Math.min(max, Math.max(min, v))
    }
    out = { ...out, vmDefaults: vm }
  }
  return out
}

/**
 * Turn whatever was stored into valid settings: run migrations, add defaults, and reset (only) the top-level
 * keys whose value is invalid. Throws SETTINGS_INVALID when the stored value is not an object at all.
 */
export function migrateSettings(stored: unknown): MigrationResult {
  if (!isObject(stored)) {
    throw new CalError('SETTINGS_INVALID', 'The settings file does not hold a JSON object.', 'CAL keeps a backup of it and uses the defaults.')
  }
  const fromVersion = typeof stored.version === 'number' && Number.isInteger(stored.version) ? stored.version : 0
  if (fromVersion > SETTINGS_VERSION) {
    throw new CalError(
      'SETTINGS_INVALID',
      `The settings file was written by a newer CAL (settings version ${fromVersion}; this CAL knows ${SETTINGS_VERSION}).`,
      'Update CAL; this one keeps a backup of the file and uses the defaults.',
    )
  }
  let raw: Raw = stored
  for (let v = fromVersion; v < SETTINGS_VERSION; v++) raw = migrations[v]!(raw)
  raw = normalize(raw)

  const defaults = defaultSettings()
  const shape = Settings.shape as Record<string, z.ZodType>
  const out: Raw = {}
  const resetKeys: string[] = []
  for (const key of Object.keys(shape)) {
    if (!(key in raw)) continue
    const parsed = shape[key]!.safeParse(raw[key])
    if (parsed.success) out[key] = parsed.data
    else resetKeys.push(key)
  }
  for (const key of Object.keys(raw)) if (!(key in shape)) resetKeys.push(key)
  const settings = Settings.parse({ ...defaults, ...out, version: SETTINGS_VERSION })
  const changed = fromVersion !== SETTINGS_VERSION || resetKeys.length > 0 || JSON.stringify(settings) !== JSON.stringify(stored)
  return { settings, changed, resetKeys, fromVersion }
}

/** Apply a patch (any subset of top-level keys, each complete) to the current settings; SETTINGS_INVALID names the bad field. */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  const parsed = SettingsPatch.safeParse(patch ?? {})
  if (!parsed.success) throw settingsInvalid(parsed.error)
  const defined = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined))
  const next = Settings.safeParse({ ...current, ...defined, version: SETTINGS_VERSION })
  if (!next.success) throw settingsInvalid(next.error)
  return next.data
}

export function settingsInvalid(error: z.ZodError): CalError {
  const issue = error.issues[0]
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'settings'
  return new CalError('SETTINGS_INVALID', `Invalid setting ${field}: ${issue?.message ?? 'bad value'}.`, `Change "${field}" and save again; nothing was changed.`, {
    field,
  })
}
