import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * One temporary folder per test run for what the tests' workers leave behind (the Electron stand-in's userData,
 * test/shell/electron-fake.mjs): workers are ended without their exit hooks running, so each left a folder in /tmp.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'cal-vitest-'))
  process.env.CAL_FAKE_USER_DATA_ROOT = root
  return () => rmSync(root, { recursive: true, force: true })
}
