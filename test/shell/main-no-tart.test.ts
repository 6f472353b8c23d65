import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./electron-mock'))
const e = await import('./electron-mock')

const calHome = mkdtempSync(join(tmpdir(), 'cal-no-tart-'))
afterAll(() => {
  e.app.quit()
  rmSync(calHome, { recursive: true, force: true })
})

it('without Tart the tray says so (not "No VMs yet") and leads to the window that explains the install', async () => {
  process.env.CAL_HOME = calHome
  process.env.CAL_TART = join(calHome, 'no-such-tart')
  await import('../../src/main/index')
  await vi.waitFor(() => expect(e.Tray.instances).toHaveLength(1))
  const tray = e.Tray.instances[0]!
  const menu = () => {
    tray.emit('click')
    return tray.poppedUp.at(-1)!.template
  }
  await vi.waitFor(() => expect(menu().map((i) => i.label)).toContain('Tart not found'))
  expect(menu().map((i) => i.label)).not.toContain('No VMs yet')
  expect(tray.tooltip).toBe('CAL: Tart not found')
  expect(tray.image.path).toMatch(/errorTemplate\.png$/)
  const win = e.BrowserWindow.instances[0]!
  win.hide()
  menu().find((i) => i.label === 'Install Tart…')!.click!()
  await vi.waitFor(() => expect(win.isVisible()).toBe(true))
})
