import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { writeFakeTart } from './fake-tart'

vi.mock('electron', () => import('./electron-mock'))
const e = await import('./electron-mock')

const calHome = mkdtempSync(join(tmpdir(), 'cal-startup-'))
const gate = join(calHome, 'tart-answers')
afterAll(() => {
  writeFileSync(gate, '')
  e.app.quit()
  rmSync(calHome, { recursive: true, force: true })
})

describe('launch with a Tart that is slow to answer', async () => {
  process.env.CAL_HOME = calHome
  process.env.CAL_TART = writeFakeTart(calHome, '127.0.64.2', gate)
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
