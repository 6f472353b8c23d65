import { existsSync, readFileSync, renameSync } from 'node:fs'
import { type SettingsPatch, type SettingsView, type Settings, defaultSettings } from '../../shared/settings'
import { CalError } from '../../shared/errors'
import { applySettingsPatch, migrateSettings } from './migrate'

/** What the engine, the CLI and the browser host see of settings; main wraps electron-store to the same shape. */
export interface SettingsStore {
  get(): SettingsView
  set(patch: SettingsPatch): SettingsView
  onChange(fn: (view: SettingsView) => void): () => void
}

/** Where settings are kept: a plain file (CLI, browser host) or electron-store (the app). Both use CAL_HOME/settings.json. */
export interface SettingsBackend {
  readonly path: string
  /** The stored object; undefined when there is no file yet. Throws when the file cannot be parsed. */
  read(): unknown
  write(settings: Settings): void
  /** Call `fn` when another process (the CLI, the app) changed the file. */
  watch?(fn: () => void): () => void
}

/** Move an unusable or pre-migration settings file aside (never deleted); returns the backup's path. */
export function backupSettingsFile(path: string, label: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  let backup = `${path}.${label}-${stamp}.bak`
  for (let i = 1; existsSync(backup); i++) backup = `${path}.${label}-${stamp}-${i}.bak`
  renameSync(path, backup)
  return backup
}

/**
 * For stores that cannot open an unparsable file (electron-store throws): if the file is not valid JSON,
 * move it aside first. Returns the warning to show, or null when the file was fine or absent.
 */
export function recoverUnreadableSettingsFile(path: string): string | null {
  if (!existsSync(path)) return null
  try {
    JSON.parse(readFileSync(path, 'utf8'))
    return null
  } catch (err) {
    const backup = backupSettingsFile(path, 'corrupt')
    return unreadableWarning(backup, err)
  }
}

function unreadableWarning(backup: string, err: unknown): string {
  // JSON.parse quotes the text around the fault ("...\"password\":hunter2\"..."), which may be a secret: say where only.
  const why = err instanceof SyntaxError ? `not valid JSON${/ at position \d+/.exec(err.message)?.[0] ?? ''}` : err instanceof Error ? err.message : String(err)
  return `The settings file could not be read (${why}). It was kept as ${backup} and the defaults were restored${RETENTION_OFF}.`
}

const RETENTION_OFF = ', with automatic snapshot deletion off until you set it again (Settings → Snapshots)'

/**
 * The defaults, but deleting no snapshot on its own: settings that could not be read may have kept every snapshot
 * (keep 0), and the default rule (keep 3, a week) would delete what the user meant to keep at the next agent launch.
 */
export function recoveredSettings(base: Settings = defaultSettings()): Settings {
  return { ...base, snapshots: { ...base.snapshots, keep: 0, maxAgeDays: 0 } }
}

/** A warning (corrupt file kept aside) stays in every view for the life of the process, so it cannot go unseen. */
export function createSettingsStore(backend: SettingsBackend, initialWarning: string | null = null): SettingsStore {
  let warning = initialWarning
  let last: string | null = null
  const listeners = new Set<(view: SettingsView) => void>()

  const load = (): Settings => {
    let stored: unknown
    try {
      stored = backend.read()
    } catch (err) {
      warning = unreadableWarning(backupSettingsFile(backend.path, 'corrupt'), err)
      return persist(recoveredSettings())
    }
    // No file: a first run, or one the app's store moved aside as unreadable before it opened (initialWarning).
    if (stored === undefined) return warning ? persist(recoveredSettings()) : defaultSettings()
    try {
      const result = migrateSettings(stored)
      if (!result.changed) return result.settings
      if (result.resetKeys.length > 0) {
        const backup = backupSettingsFile(backend.path, 'invalid')
        const retention = result.resetKeys.some((k) => k.startsWith('snapshots'))
        warning = `Some settings were invalid (${result.resetKeys.join(', ')}) and were reset to their defaults${retention ? RETENTION_OFF : ''}. The previous file was kept as ${backup}.`
        if (retention) return persist(recoveredSettings(result.settings))
      } else if (result.fromVersion !== result.settings.version) {
        backupSettingsFile(backend.path, `v${result.fromVersion}`)
      }
      return persist(result.settings)
    } catch (err) {
      const reason = err instanceof CalError ? err.message : String(err)
      const backup = backupSettingsFile(backend.path, 'corrupt')
      warning = `${reason} It was kept as ${backup} and the defaults were restored${RETENTION_OFF}.`
      return persist(recoveredSettings())
    }
  }

  const persist = (settings: Settings): Settings => {
    backend.write(settings)
    return settings
  }

  const view = (settings: Settings): SettingsView => ({ settings, warning })

  const notify = (v: SettingsView) => {
    const text = JSON.stringify(v)
    if (text === last) return
    last = text
    for (const fn of listeners) fn(v)
  }

  let unwatch: (() => void) | undefined
  return {
    get: () => view(load()),
    set(patch) {
      const next = applySettingsPatch(load(), patch)
      persist(next)
      const v = view(next)
      notify(v)
      return v
    },
    onChange(fn) {
      listeners.add(fn)
      if (!unwatch && backend.watch) {
        unwatch = backend.watch(() => {
          // Called by the file watcher, where a throw would end the process: a file that can be neither read nor
          // moved aside now (CAL_HOME made unreadable, or a file) keeps the settings last seen; a later change retries.
          try {
            notify(view(load()))
          } catch {
            // nothing to tell: get() and set() still report the same failure to their callers
          }
        })
      }
      return () => {
        listeners.delete(fn)
        if (listeners.size === 0 && unwatch) {
          unwatch()
          unwatch = undefined
        }
      }
    },
  }
}
