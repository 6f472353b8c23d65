import type { Page } from '@playwright/test'
import { test, expect } from './fixtures'
import { terminalText, typeInTerminal } from './ui/terminal'

/**
 * The product's main path: the launch confirmation, then the agent running in its own tmux session in the VM,
 * answering in the embedded terminal, with the session snapshot taken first (the default policy).
 */
const VM = 'e2e-launch'

test('launching an agent confirms, snapshots, and opens the agent in its terminal', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const vm = await sim.bootVm(VM)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await page.getByTestId('vm-launch').click()

    const dialog = page.getByTestId('launch-dialog')
    const info = dialog.getByTestId('launch-info')
    await expect(info).toContainText(VM)
    await expect(info).toContainText('Claude Code')
    await expect(dialog.getByTestId('launch-warning')).toHaveCount(0)
    await dialog.getByTestId('launch-go').click()

    // The session snapshot comes first (CAL did not start this VM, so it is shut down cleanly and started again).
    await expect(dialog).toBeHidden({ timeout: 60_000 })
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/Claude Code \(tart-sim stand-in\)/)
    await typeInTerminal(page, 'hello agent')
    await expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain('echo: hello agent')
    expect(await page.getByTestId('terminal-tab').filter({ hasText: 'agent' }).count()).toBeGreaterThan(0)

    // Launch again while the agent works: the sheet says so, offers no snapshot, and only shows the agent.
    await page.getByTestId('view-workspace').click()
    await page.getByTestId('vm-launch').click()
    await expect(dialog.getByTestId('launch-info')).toContainText("in the agent's session: Launch shows it and starts nothing", { timeout: 15_000 })
    await expect(dialog.getByTestId('launch-snapshot-policy')).toHaveText('None: the agent already runs, so Launch takes no snapshot.')
    await expect(dialog.getByTestId('launch-backup')).toHaveCount(0)
    await dialog.getByTestId('launch-go').filter({ hasText: 'Show the agent' }).click()
    await expect(dialog).toBeHidden({ timeout: 30_000 })
    await expect(page.getByTestId('terminal-tab').filter({ hasText: 'agent' })).toHaveCount(1)

    await page.getByTestId('view-snapshots').click()
    await expect(page.locator('[data-testid="snapshot-row"]').filter({ hasText: 'session' })).toHaveCount(1)

    // Deleting the workspace shows the git safety report from inside the VM and needs its name typed.
    await page.getByTestId('view-workspace').click()
    await page.getByTestId('vm-delete').click()
    const del = page.getByTestId('delete-vm-dialog')
    await expect(del.getByTestId('safety-report')).toHaveAttribute('data-clean', 'true', { timeout: 30_000 })
    // Enter in the field does nothing until the name is typed whole, then deletes, as the button would.
    await del.getByRole('textbox').fill(VM.slice(0, -1))
    await del.getByRole('textbox').press('Enter')
    await expect(del).toBeVisible()
    await del.getByRole('textbox').fill(VM)
    await del.getByRole('textbox').press('Enter')
    await expect(del).toHaveCount(0)
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toHaveCount(0, { timeout: 60_000 })
    await expect(page.getByTestId('toast').filter({ hasText: `Delete ${VM}` })).toContainText('Done.')
    // The keyboard is not left on the page: the workspace list has it, or New workspace when none is left.
    await expect(page.locator('[data-testid="vm-list"], [data-testid="new-workspace"]').and(page.locator(':focus'))).toHaveCount(1)
  } finally {
    // Normally already gone (deleted above); leave the shared simulated host with a free slot either way.
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', VM])
  }
})

/** Selects the VM, waits until CAL sees it running, and opens the launch confirmation. */
async function openLaunch(page: Page, vm: string) {
  await page.locator(`[data-testid="vm-row"][data-vm="${vm}"]`).click()
  await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
  await page.getByTestId('vm-launch').click()
  return page.getByTestId('launch-dialog')
}

test('Enter launches once the facts are in, and Escape while launching does not close the sheet', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const name = 'e2e-launch-keys'
  const vm = await sim.bootVm(name)
  try {
    const dialog = await openLaunch(page, name)
    await expect(dialog.getByTestId('launch-info')).toContainText(name)
    // The default policy is said before anything happens: Launch snapshots the VM, which CAL did not start and so
    // cannot suspend: it is shut down for the snapshot, which ends what runs in it.
    await expect(dialog.getByTestId('launch-snapshot-policy')).toContainText('A session snapshot is taken first')
    await expect(dialog.getByTestId('launch-snapshot-policy')).toContainText('this VM cannot be suspended, so it is shut down for the snapshot')
    // Launch takes that snapshot itself: a Backup first would do just the same, so there is none.
    await expect(dialog.getByTestId('launch-backup')).toHaveCount(0)
    await expect(dialog.getByTestId('launch-go')).toBeFocused()
    await page.keyboard.press('Enter')

    // The snapshot takes a while (a clean shutdown and a boot): Escape meanwhile would only hide it, so it does nothing.
    await expect(dialog.getByTestId('launch-progress')).toContainText(`Taking a session snapshot of ${name} (it shuts down and starts again meanwhile)`)
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    await expect(dialog.getByTestId('launch-progress')).toBeVisible()
    await expect(dialog).toBeVisible()

    await expect(dialog).toBeHidden({ timeout: 60_000 })
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/Claude Code \(tart-sim stand-in\)/)
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('a failed session snapshot is shown in the sheet, which then launches without one', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const name = 'e2e-launch-fail'
  const vm = await sim.bootVm(name)
  try {
    await sim.harness.setFaults(name, { clone_fail: true })
    const dialog = await openLaunch(page, name)
    await expect(dialog.getByTestId('launch-info')).toContainText(name)
    await dialog.getByTestId('launch-go').click()

    const failure = dialog.getByTestId('launch-error')
    await expect(failure).toContainText('The session snapshot failed, so the agent was not started.', { timeout: 60_000 })
    await expect(failure).toContainText('couldn’t be copied')
    // The sheet shows the failure; no toast repeats it under the backdrop, where nothing can be clicked.
    await expect(page.locator('[data-testid="toast"].toast-error')).toHaveCount(0)

    await dialog.getByTestId('launch-no-snapshot').click()
    await expect(dialog).toBeHidden({ timeout: 60_000 })
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/Claude Code \(tart-sim stand-in\)/)
    await expect(page.locator('[data-testid="toast"].toast-error')).toHaveCount(0)
    await page.getByTestId('view-snapshots').click()
    await expect(page.locator('[data-testid="snapshot-row"]').filter({ hasText: 'session' })).toHaveCount(0)
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('Backup first is offered while automatic session snapshots are off, and only then', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const name = 'e2e-launch-backup'
  const vm = await sim.bootVm(name)
  const auto = page.getByTestId('settings-view').getByRole('switch', { name: 'Snapshot at every agent session start' })
  try {
    await page.getByTestId('nav-settings').click()
    await expect(auto).toBeChecked()
    await auto.click()
    await expect(auto).not.toBeChecked()
    const dialog = await openLaunch(page, name)
    await expect(dialog.getByTestId('launch-snapshot-policy')).toContainText('None: automatic snapshots are off (Settings → Snapshots). Backup first takes one')
    await expect(dialog.getByTestId('launch-backup')).toBeEnabled()
    await page.keyboard.press('Escape')
    await expect(dialog).toHaveCount(0)
  } finally {
    await page.getByTestId('nav-settings').click()
    if (!(await auto.isChecked())) await auto.click()
    await expect(auto).toBeChecked()
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})
