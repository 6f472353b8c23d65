import type { Page } from '@playwright/test'
import { test, expect } from './fixtures'
import { DEFAULT_IMAGE } from '../test/sim/harness'
import { captureScreen } from './ui/screens'

/** Keyboard and screen-reader behaviour of the views that are not a workspace's (Settings, Activity) and of the toolbar. */

/** What has the keyboard, for a failure message: tag, test id or role, and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement
    if (!el || el === document.body) return 'body'
    return `${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.getAttribute('role') ?? ''}] ${(el.textContent ?? '').trim().slice(0, 30)}`
  })

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

test('a settings field left by a shortcut, without a blur, keeps a valid edit and drops an invalid one', async ({ page }) => {
  await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
  const settings = page.getByTestId('settings-view')
  const fontSize = settings.getByRole('spinbutton', { name: 'Terminal font size' })
  const user = settings.getByRole('textbox', { name: 'SSH user' })
  await page.keyboard.press('ControlOrMeta+Comma')
  await expect(fontSize).toHaveValue('13')
  // Typed, then the view changed by a shortcut (a new Host tab) while the field still had the keyboard.
  await fontSize.fill('17')
  await page.keyboard.press('Control+Shift+t')
  await expect(settings).toHaveCount(0)
  await expect(page.getByRole('main', { name: 'Host terminal' })).toBeVisible()
  await page.keyboard.press('ControlOrMeta+Comma')
  await expect(fontSize).toHaveValue('17')
  await captureScreen(page, 'a11y-settings-kept')
  // A value the field refuses ("Not saved: …") is not saved by leaving either.
  await fontSize.fill('40')
  await expect(fontSize).toHaveAttribute('aria-invalid', 'true')
  await page.keyboard.press('Control+Shift+t')
  await expect(settings).toHaveCount(0)
  await page.keyboard.press('ControlOrMeta+Comma')
  await expect(fontSize).toHaveValue('17')
  // Text fields alike.
  await user.fill('builder')
  await page.keyboard.press('Control+Shift+t')
  await expect(settings).toHaveCount(0)
  await page.keyboard.press('ControlOrMeta+Comma')
  await expect(user).toHaveValue('builder')
  await user.fill('-bad')
  await page.keyboard.press('Control+Shift+t')
  await expect(settings).toHaveCount(0)
  // Saved on disk, not only in this page: a fresh window reads them back.
  await page.reload()
  await page.getByTestId('nav-settings').click()
  await expect(fontSize).toHaveValue('17')
  await expect(user).toHaveValue('builder')
  await expect(page.getByTestId('toast')).toHaveCount(0)
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
