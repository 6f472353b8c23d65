import { readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Settings } from '../../shared/settings'
import { createSettingsStore, type SettingsBackend, type SettingsStore } from './store'
import { makeDirsSync } from '../store/make-dirs'

export const SETTINGS_FILE = 'settings.json'

export function settingsPath(calHome: string): string {
  return join(calHome, SETTINGS_FILE)
}

/** The plain-file backend: the same file and format (tab-indented JSON) electron-store writes in the app. */
export function fileSettingsBackend(calHome: string): SettingsBackend {
  const path = settingsPath(calHome)
  return {
    path,
    read() {
      let text: string
      try {
        text = readFileSync(path, 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw err
      }
      return JSON.parse(text)
    },
    write(settings: Settings) {
      makeDirsSync(calHome)
      // Write then rename, so a crash never leaves half a file for the app or the CLI to read.
      const tmp = `${path}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify(settings, undefined, '\t'), { mode: 0o600 })
      renameSync(tmp, path)
    },
    watch(fn) {
      const listener = () => fn()
      watchFile(path, { persistent: false, interval: 1000 }, listener)
      return () => unwatchFile(path, listener)
    },
  }
}

export function createFileSettingsStore(calHome: string): SettingsStore {
  return createSettingsStore(fileSettingsBackend(calHome))
}
