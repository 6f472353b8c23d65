import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { test, expect } from './fixtures'
import { DEFAULT_IMAGE } from '../test/sim/harness'
import { contrastOf } from './ui/contrast'
import { captureScreen } from './ui/screens'
import { startHost } from './ui/host'

/** Keyboard and screen-reader behaviour of the views that are not a workspace's (Settings, Activity) and of the toolbar. */

/** What has the keyboard, for a failure message: tag, test id or role, and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement
    if (!el || el === document.body) return 'body'
    return `${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.getAttribute('role') ?? ''}] ${(el.textContent ?? '').trim().slice(0, 30)}`
  })

/** Records, every 20 ms, where the keyboard is: what the user could have pressed keys into meanwhile. */
const watchFocus = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { focusTrail: string[] }
    w.focusTrail = []
    setInterval(() => {
      const el = document.activeElement
      const at = !el || el === document.body ? 'body' : (el.getAttribute('data-testid') ?? el.getAttribute('role') ?? el.tagName.toLowerCase())
      if (w.focusTrail.at(-1) !== at) w.focusTrail.push(at)
    }, 20)
  })
const focusTrail = (page: Page) => page.evaluate(() => (window as unknown as { focusTrail: string[] }).focusTrail)

test('Escape from Settings or Activity gives the keyboard back to the view it returns to', async ({ page }) => {
  await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
  for (const [nav, view] of [['nav-settings', 'settings-view'], ['nav-tasks', 'tasks-view']] as const) {
    await page.getByTestId(nav).focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId(view)).toBeFocused()
    await page.keyboard.press('Escape')
    await expect(page.getByTestId(view)).toHaveCount(0)
    // The control that opened it is still there: it has the keyboard again.
    await expect(page.getByTestId(nav)).toBeFocused()
  }
  // By the shortcut, and from the palette: never left on <body>.
  await page.keyboard.press('ControlOrMeta+Comma')
  await expect(page.getByTestId('settings-view')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('settings-view')).toHaveCount(0)
  await expect.poll(() => focused(page)).not.toBe('body')
  await page.keyboard.press('ControlOrMeta+k')
  await page.getByTestId('palette-input').fill('open settings')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('settings-view')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('settings-view')).toHaveCount(0)
  await expect.poll(() => focused(page)).not.toBe('body')
  await captureScreen(page, 'a11y-escape-back')
})

test('a settings field left by a shortcut, without a blur, keeps a valid edit and drops an invalid one', async ({ page, sim }) => {
  // A workspace to switch to (Ctrl+Shift+1), which takes the view away from Settings without a blur.
  const vm = 'e2e-a11y-keep'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, vm])).exitCode).toBe(0)
  try {
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${vm}"]`)).toBeVisible({ timeout: 30_000 })
    const settings = page.getByTestId('settings-view')
    const fontSize = settings.getByRole('spinbutton', { name: 'Terminal font size' })
    const user = settings.getByRole('textbox', { name: 'SSH user' })
    // The view changed by a shortcut (to a workspace) while a field still had the keyboard, then Settings again.
    const leaveAndReturn = async () => {
      await page.keyboard.press('Control+Shift+1')
      await expect(settings).toHaveCount(0)
      await page.keyboard.press('ControlOrMeta+Comma')
    }
    await page.keyboard.press('ControlOrMeta+Comma')
    await expect(fontSize).toHaveValue('13')
    await fontSize.fill('17')
    await leaveAndReturn()
    await expect(fontSize).toHaveValue('17')
    await captureScreen(page, 'a11y-settings-kept')
    // A value the field refuses ("Not saved: …") is not saved by leaving either.
    await fontSize.fill('40')
    await expect(fontSize).toHaveAttribute('aria-invalid', 'true')
    await leaveAndReturn()
    await expect(fontSize).toHaveValue('17')
    // Text fields alike.
    await user.fill('builder')
    await leaveAndReturn()
    await expect(user).toHaveValue('builder')
    await user.fill('-bad')
    await page.keyboard.press('Control+Shift+1')
    await expect(settings).toHaveCount(0)
    // Saved on disk, not only in this page: a fresh window reads them back.
    await page.reload()
    await page.getByTestId('nav-settings').click()
    await expect(fontSize).toHaveValue('17')
    await expect(user).toHaveValue('builder')
    await expect(page.getByTestId('toast')).toHaveCount(0)
  } finally {
    await sim.harness.run(['delete', vm]).catch(() => {})
  }
})

test('every setting control is described by its help and its error line', async ({ page }) => {
  await page.getByTestId('nav-settings').click()
  const settings = page.getByTestId('settings-view')
  await expect(settings.getByRole('switch', { name: 'Show in Dock' })).toHaveAccessibleDescription('Off keeps CAL in the menu bar only.')
  const fontSize = settings.getByRole('spinbutton', { name: 'Terminal font size' })
  await expect(fontSize).toHaveAccessibleDescription('9–32')
  await fontSize.fill('40')
  await expect(fontSize).toHaveAccessibleDescription('9–32 Not saved: use a whole number from 9 to 32.')
  await expect(settings.getByRole('spinbutton', { name: 'Session snapshots to keep' })).toHaveAccessibleDescription(/^0–100\. 0 = no limit on the count/)
  await expect(settings.getByRole('textbox', { name: 'First-contact password' })).toHaveAccessibleDescription(/^Used once; CAL installs its own key/)
  // The host was started with --tart: a Tart path saved in Settings waits until it is not, and the field says so.
  await expect(settings.getByRole('textbox', { name: 'Tart path' })).toHaveAccessibleDescription(/^CAL was started with a Tart path of its own \(\/\S+tart\), so it uses that Tart\. A path saved here applies when CAL starts without one\.$/)
  await captureScreen(page, 'a11y-settings-described')
})

test('Settings and Activity opened by the keyboard draw no focus ring around the whole pane; their controls do', async ({ page }) => {
  await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
  const shadow = (testId: string) => page.getByTestId(testId).evaluate((el) => getComputedStyle(el).boxShadow)
  await page.keyboard.press('ControlOrMeta+Comma')
  await expect(page.getByTestId('settings-view')).toBeFocused()
  await page.waitForTimeout(250) // past the ring's transition, if any
  expect(await shadow('settings-view')).toBe('none')
  await captureScreen(page, 'a11y-settings-no-pane-ring')
  // The keyboard's next stop, a real control, shows the ring.
  await page.keyboard.press('Tab')
  const control = page.getByTestId('settings-view').getByRole('combobox', { name: 'Appearance' })
  await expect(control).toBeFocused()
  expect(await control.evaluate((el) => getComputedStyle(el).boxShadow)).not.toBe('none')
  await page.keyboard.press('Escape')
  await page.getByTestId('nav-tasks').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('tasks-view')).toBeFocused()
  expect(await shadow('tasks-view')).toBe('none')
})

test('a sidebar row is read as one name that says the state once', async ({ page, sim }) => {
  const VM = 'e2e-a11y-row'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, VM])).exitCode).toBe(0)
  try {
    const row = page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)
    await row.click({ timeout: 30_000 })
    // It was "Stopped e2e-a11y-row Stopped": the dot's label, then the state line.
    await expect(row).toHaveAccessibleName(`${VM}, Stopped`)
    await expect(page.getByRole('listbox', { name: 'Workspaces' }).getByRole('option', { name: `${VM}, Stopped` })).toHaveAttribute('aria-selected', 'true')
    await captureScreen(page, 'a11y-sidebar-row')
  } finally {
    await sim.harness.run(['delete', VM])
  }
})

test('Start and Stop keep the keyboard in the toolbar, on the button that replaced the one pressed', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const VM = 'e2e-a11y-toolbar'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, VM])).exitCode).toBe(0)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click({ timeout: 30_000 })
    await page.getByTestId('vm-start').focus()
    await watchFocus(page)
    await page.keyboard.press('Enter')
    // While the start runs, every button is disabled: the keyboard waits on the toolbar, then goes to Stop.
    await expect(page.getByTestId('vm-stop')).toBeFocused({ timeout: 30_000 })
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await captureScreen(page, 'a11y-toolbar-after-start')
    let trail = await focusTrail(page)
    expect(trail, trail.join(' → ')).not.toContain('body')
    expect(trail, trail.join(' → ')).not.toContain('view-workspace')
    await watchFocus(page)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('vm-start')).toBeFocused({ timeout: 30_000 })
    trail = await focusTrail(page)
    expect(trail, trail.join(' → ')).not.toContain('body')
    expect(trail, trail.join(' → ')).not.toContain('view-workspace')
  } finally {
    await sim.harness.run(['stop', VM])
    await sim.harness.run(['delete', VM])
  }
})

test('the keyboard stays in the sheet while a VM stops from the limit sheet and while the agent launches', async ({ page, sim }) => {
  test.setTimeout(240_000)
  // The worker's simulated host is shared: a VM an earlier test left running (the terminal tests') holds a slot.
  const listed = JSON.parse((await sim.harness.run(['list', '--format', 'json', '--source', 'local'])).stdout) as { Name: string; State: string }[]
  for (const v of listed.filter((x) => x.State === 'running')) await sim.harness.run(['stop', '--timeout', '5', v.Name])
  const [a, b] = [await sim.bootVm('e2e-a11y-one'), await sim.bootVm('e2e-a11y-two')]
  const third = 'e2e-a11y-three'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, third])).exitCode).toBe(0)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${third}"]`).click({ timeout: 30_000 })
    await expect(page.getByTestId('running-count')).toHaveText('2/2 running', { timeout: 30_000 })
    await page.getByTestId('vm-start').click()
    const limit = page.getByTestId('limit-dialog')
    await expect(limit.getByRole('button', { name: `Stop ${a.name}` })).toBeVisible({ timeout: 30_000 })
    await limit.getByRole('button', { name: `Stop ${a.name}` }).focus()
    await watchFocus(page)
    await page.keyboard.press('Enter')
    await expect(limit.getByRole('heading')).toHaveText('A slot is free', { timeout: 60_000 })
    await expect(limit.getByRole('button', { name: `Start ${third}` })).toBeFocused()
    let trail = await focusTrail(page)
    expect(trail, trail.join(' → ')).not.toContain('body')
    await page.keyboard.press('Escape')
    await expect(limit).toHaveCount(0)

    // Launch on the other running VM: its session snapshot shuts it down and starts it again, Launching… meanwhile.
    await page.locator(`[data-testid="vm-row"][data-vm="${b.name}"]`).click()
    await page.getByTestId('vm-launch').click()
    const launch = page.getByTestId('launch-dialog')
    await expect(launch.getByTestId('launch-go')).toBeFocused({ timeout: 30_000 })
    await watchFocus(page)
    await page.keyboard.press('Enter')
    await expect(launch.getByTestId('launch-go')).toHaveText('Launching…')
    await expect(launch).toBeFocused()
    await captureScreen(page, 'a11y-launching')
    await expect(launch).toHaveCount(0, { timeout: 90_000 })
    trail = await focusTrail(page)
    expect(trail, trail.join(' → ')).not.toContain('body')
  } finally {
    await sim.harness.run(['stop', third])
    await sim.harness.run(['delete', third])
    await a.stop().catch(() => {})
    await b.stop().catch(() => {})
  }
})

test('faint text (shortcut hints, group labels, secondary text, text on blue) reaches 4.5:1 in light and dark', async ({ page, sim }) => {
  test.setTimeout(90_000)
  const names = ['e2e-a11y-contrast-a', 'e2e-a11y-contrast-b']
  for (const name of names) expect((await sim.harness.run(['clone', DEFAULT_IMAGE, name])).exitCode).toBe(0)
  try {
    const [first, second] = names.map((n) => page.locator(`[data-testid="vm-row"][data-vm="${n}"]`))
    await first!.click({ timeout: 30_000 })
    const texts: Array<[string, Locator]> = [
      ['sidebar shortcut, selected row', first!.locator('kbd.vm-row-key')],
      ['sidebar shortcut', second!.locator('kbd.vm-row-key')],
      ['sidebar state line', second!.locator('.vm-row-sub')],
      ['sidebar heading', page.locator('#workspaces-label')],
      ['Actions button shortcut', page.getByTestId('open-palette').locator('kbd')],
      ['primary button (Start)', page.getByTestId('vm-start')],
      ['overview fact label', page.getByTestId('vm-facts').locator('dt').first()],
    ]
    await captureScreen(page, 'a11y-contrast-overview')
    await page.keyboard.press('ControlOrMeta+k')
    await captureScreen(page, 'a11y-contrast-palette')
    await page.keyboard.press('Escape')
    const ratios: string[] = []
    const measure = async (scheme: 'light' | 'dark', list: Array<[string, Locator]>) => {
      for (const [what, locator] of list) {
        const ratio = await contrastOf(locator)
        ratios.push(`${scheme} ${what}: ${ratio}`)
      }
    }
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme)
      await page.getByTestId('vm-list').blur()
      await measure(scheme, texts)
      // The list with the keyboard: the selected row turns blue, its text white.
      await page.getByTestId('vm-list').focus()
      await page.keyboard.press('Home')
      await measure(scheme, [
        ['sidebar shortcut, focused row', first!.locator('kbd.vm-row-key')],
        ['sidebar state line, focused row', first!.locator('.vm-row-sub')],
      ])
      await page.keyboard.press('ControlOrMeta+k')
      const palette = page.getByTestId('palette')
      const items = palette.locator('.palette-item')
      await expect(items.nth(1)).toBeVisible()
      const withKey = palette.locator('.palette-item:not(.current)').filter({ has: page.locator('kbd') }).first()
      await measure(scheme, [
        ['palette group label', items.nth(1).locator('.palette-group')],
        ['palette shortcut', withKey.locator('kbd')],
        ['palette current item', items.nth(0).locator('span').first()],
        ['palette current group label', items.nth(0).locator('.palette-group')],
      ])
      await page.keyboard.press('Escape')
      await page.getByTestId('nav-settings').click()
      const settings = page.getByTestId('settings-view')
      await measure(scheme, [
        ['settings help', settings.locator('.setting-help').first()],
        ['settings group title', settings.locator('.group-title').first()],
      ])
      await page.keyboard.press('Escape')
    }
    const low = ratios.filter((r) => Number(r.split(': ')[1]) < 4.5)
    expect(low, ratios.join('\n')).toEqual([])
  } finally {
    await page.emulateMedia({ colorScheme: 'light' })
    for (const name of names) await sim.harness.run(['delete', name])
  }
})

test('Settings → Tart path, with Tart missing: says so, checks a path when saved, and a right one takes effect at once', async ({ browser, sim }) => {
  const calHome = mkdtempSync(join(tmpdir(), 'cal-e2e-tartpath-'))
  // No --tart, no CAL_TART, no tart on PATH: the Tart path setting is what the engine goes by.
  const env: NodeJS.ProcessEnv = { ...process.env, ...sim.env, CAL_HOME: calHome, PATH: '/usr/bin:/bin' }
  delete env.CAL_TART
  const host = await startHost(['--cal-home', calHome], env)
  const page = await browser.newPage()
  try {
    await page.goto(host.url)
    await expect(page.getByTestId('tart-missing')).toBeVisible()
    await page.getByRole('button', { name: 'Open Settings' }).click()
    const field = page.getByTestId('settings-view').getByRole('textbox', { name: 'Tart path' })
    await expect(field).toHaveAttribute('placeholder', /not found/i)
    await field.evaluate((el) => el.scrollIntoView({ block: 'center' }))
    await captureScreen(page, 'a11y-tart-path-placeholder')
    // A path with no Tart: saved, and the field says what the engine says of it.
    await field.fill(join(calHome, 'no-such-tart'))
    await field.press('Enter')
    await expect(field).toHaveAttribute('aria-invalid', 'true')
    await expect(field).toHaveAccessibleDescription(/Tart was not found \(looked for ".*no-such-tart"\)/)
    await field.evaluate((el) => el.scrollIntoView({ block: 'center' }))
    await captureScreen(page, 'a11y-tart-path-wrong')
    // A folder is named as one.
    await field.fill(calHome)
    await field.press('Enter')
    await expect(field).toHaveAccessibleDescription(/is a folder, not the Tart executable/)
    // The right one: no complaint, and the app finds Tart at once, without Check again.
    await field.fill(sim.tartPath)
    await field.press('Enter')
    await expect(field).toHaveAttribute('aria-invalid', 'false')
    await expect(page.getByTestId('new-workspace')).toBeEnabled()
    await field.evaluate((el) => el.scrollIntoView({ block: 'center' }))
    await captureScreen(page, 'a11y-tart-path-right')
    await page.getByTestId('settings-view').focus()
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('tart-missing')).toHaveCount(0)
    await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
  } finally {
    await page.close()
    await host.stop()
    rmSync(calHome, { recursive: true, force: true })
  }
})
