import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./electron-mock'))
const e = await import('./electron-mock')

const calHome = mkdtempSync(join(tmpdir(), 'cal-startup-'))
const gate = join(calHome, 'tart-answers')
afterAll(() => {
  writeFileSync(gate, '')
  e.app.quit()
  rmSync(calHome, { recursive: true, force: true })
})

/** A `tart` that answers nothing until the gate file exists (a Tart stuck or slow at login), then knows `dev`. */
function writeSlowTart(): string {
  const path = join(calHome, 'tart')
  const list = JSON.stringify([{ Source: 'local', Name: 'dev', Disk: 80, Size: 20, State: 'running' }])
  const get = JSON.stringify({ OS: 'darwin', CPU: 4, Memory: 8192, Disk: 80, Size: '20.000', Display: '1024x768', State: 'running' })
  const script = [
    '#!/bin/sh',
    `while [ ! -e '${gate}' ]; do sleep 0.05; done`,
    'case "$1" in',
    `  list) echo '${list}' ;;`,
    `  get) echo '${get}' ;;`,
    "  ip) echo '127.0.64.2' ;;",
    "  --version) echo '2.31.0' ;;",
    '  *) exit 1 ;;',
    'esac',
    '',
  ].join('\n')
  writeFileSync(path, script)
  chmodSync(path, 0o755)
  return path
}

describe('launch with a Tart that is slow to answer', async () => {
  process.env.CAL_HOME = calHome
  process.env.CAL_TART = writeSlowTart()
  await import('../../src/main/index')
  const trayLabels = () => {
    const tray = e.Tray.instances[0]!
    tray.emit('click')
    return tray.poppedUp.at(-1)!.template.map((i) => i.label)
  }

  it('shows the menu-bar icon and the window at once, saying it is still looking for VMs', async () => {
    await vi.waitFor(() => {
      expect(e.Tray.instances).toHaveLength(1)
      expect(e.BrowserWindow.instances).toHaveLength(1)
    })
    expect(trayLabels()).toContain('Looking for VMs…')
    expect(trayLabels()).not.toContain('No VMs yet')
  })

  it('fills the tray in once Tart answers', async () => {
    writeFileSync(gate, '')
    await vi.waitFor(() => expect(trayLabels()).toContain('dev — running · 127.0.64.2'), { timeout: 10_000 })
  })
})
