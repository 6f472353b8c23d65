import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { DEFAULT_IMAGE, sshExec } from '../test/sim/harness'
import { test, expect } from './fixtures'
import { captureScreen } from './ui/screens'
import { openShellTab } from './ui/terminal'

/**
 * The snapshot confirmation sheets as a user meets them: what happens when the engine refuses the action, and what
 * Cancel, Escape and the keyboard do meanwhile.
 */
const focusIsOnBody = (page: import('@playwright/test').Page) => page.evaluate(() => document.activeElement === null || document.activeElement === document.body)

test('a confirmed restore cannot be cancelled while CAL checks again; a refusal names the changed repository and keeps the keyboard', async ({ page, sim }) => {
  test.setTimeout(180_000)
  const name = 'e2e-snapconfirm'
  const vm = await sim.bootVm(name)
  const inVm = async (command: string) => expect((await sshExec(vm, command)).code).toBe(0)
  try {
    // A repository with a change never committed: the report is not clean.
    await inVm("git init -q app && cd app && echo one > a.txt && git add a.txt && git -c user.name=a -c user.email=a@b commit -qm one && echo two >> a.txt")
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await page.getByTestId('view-snapshots').click()

    // Take snapshot by keyboard: the button is disabled while the snapshot is taken, and the keyboard must not fall to <body>.
    await page.getByTestId('snapshot-name').fill('before')
    await page.getByTestId('snapshot-create').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('snapshot-create')).toBeDisabled()
    expect(await focusIsOnBody(page)).toBe(false)
    await expect(page.getByTestId('snapshot-name')).toBeFocused()
    await expect(page.locator('[data-testid="snapshot-row"][data-snapshot="before"]')).toBeVisible({ timeout: 120_000 })
    await expect(page.getByTestId('snapshot-create')).toBeEnabled({ timeout: 60_000 })

    await page.locator('[data-testid="snapshot-row"][data-snapshot="before"]').getByTestId('snapshot-restore').click()
    const dialog = page.getByTestId('snapshot-confirm')
    await expect(dialog.getByTestId('safety-report')).toHaveAttribute('data-clean', 'false', { timeout: 30_000 })
    await expect(dialog.getByTestId('safety-report')).toContainText('1 uncommitted change')
    // While the user reads, the changed file is edited again: the same counts, other work.
    await inVm('cd app && echo three >> a.txt')
    await dialog.getByTestId('confirm-action').click()
    // The engine checks again before it starts anything: Cancel and Escape wait, else the sheet would close while the
    // restore still went ahead.
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeDisabled()
    await page.keyboard.press('Escape')
    await expect(dialog.getByTestId('report-changed')).toBeVisible({ timeout: 30_000 })
    await expect(dialog.getByTestId('report-changed')).toContainText('/app changed since the report you read')
    // The refused sheet keeps the keyboard, on Cancel, where it started.
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
    await captureScreen(page, 'restore-report-changed-named')
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('a restore the engine refuses is said in its sheet, not in a toast under its backdrop', async ({ page, sim, host }) => {
  test.setTimeout(180_000)
  const name = 'e2e-snapgone'
  await sim.harness.run(['clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', name])
  const cal = (...args: string[]) =>
    spawnSync(process.execPath, [resolve(import.meta.dirname, '../out/cli/cal.js'), ...args], {
      env: { ...process.env, ...sim.env, CAL_HOME: host.calHome, CAL_TART: sim.tartPath },
      encoding: 'utf8',
    })
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click()
    await page.getByTestId('view-snapshots').click()
    await page.getByTestId('snapshot-name').fill('old')
    await page.getByTestId('snapshot-create').click()
    const row = page.locator('[data-testid="snapshot-row"][data-snapshot="old"]')
    await expect(row).toBeVisible({ timeout: 60_000 })
    await expect(row.getByTestId('snapshot-restore')).toBeEnabled({ timeout: 30_000 })
    await row.getByTestId('snapshot-restore').click()
    const dialog = page.getByTestId('snapshot-confirm')
    // A stopped VM cannot be checked: the sheet says so, and how to check it from the app.
    await expect(dialog.getByTestId('safety-report')).toContainText(`${name} is not running, so CAL cannot check it`)
    await expect(dialog.getByTestId('safety-report')).not.toContainText('Start it first.')
    // Deleted behind the window's back (another window, the cal command) while the sheet is open.
    expect(cal('snapshot', 'delete', name, 'old', '--yes').status).toBe(0)
    await dialog.getByTestId('confirm-action').click()
    await expect(dialog.getByTestId('confirm-error')).toContainText('has no snapshot named "old"')
    // Not also in a toast under the backdrop (the "Snapshot taken" one may still be showing).
    await expect(page.getByTestId('toast').filter({ hasText: 'no snapshot named' })).toHaveCount(0)
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
    await expect(dialog.getByTestId('confirm-action')).toBeDisabled()
    // The list the sheet came from is read again: the snapshot is gone from it too.
    await expect(row).toHaveCount(0)
    await captureScreen(page, 'restore-refused-in-sheet')
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()
  } finally {
    await sim.harness.run(['delete', name])
  }
})

test('a snapshot that has to shut the VM down names the programs it would end first; Cancel takes none', async ({ page, sim }) => {
  test.setTimeout(240_000)
  const name = 'e2e-snapshutdown'
  // Started outside CAL: CAL cannot suspend it, so a snapshot shuts it down and starts it again.
  const vm = await sim.bootVm(name)
  try {
    await openShellTab(page, name)
    await page.keyboard.type('clear; sleep 600\n')
    await page.getByTestId('view-workspace').click()
    await page.getByTestId('vm-snapshot').click()
    const dialog = page.getByTestId('power-dialog')
    await expect(dialog).toContainText(`Snapshot ${name}? A program is still running in it.`)
    await expect(dialog).toContainText(': sleep')
    await expect(dialog).toContainText('cannot be suspended')
    await captureScreen(page, 'snapshot-shutdown-question')
    // Cancel is the default: Enter takes no snapshot and leaves the VM running.
    await page.keyboard.press('Enter')
    await expect(dialog).toHaveCount(0)
    // Launch's session snapshot would end it too: named there, and Enter cancels rather than launches.
    await page.getByTestId('vm-launch').click()
    const launch = page.getByTestId('launch-dialog')
    await expect(launch.getByTestId('running-programs')).toContainText(': sleep')
    await expect(launch.getByRole('button', { name: 'Cancel' })).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(launch).toHaveCount(0)
    await page.getByTestId('view-snapshots').click()
    await expect(page.getByTestId('snapshot-row')).toHaveCount(0)
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${name}"]`)).toContainText('Running')

    // The Snapshots tab asks the same; once confirmed the snapshot is taken, with the name typed before the question.
    await page.getByTestId('snapshot-name').fill('kept')
    await page.getByTestId('snapshot-create').click()
    await expect(dialog).toContainText(`Snapshot ${name}? A program is still running in it.`)
    await dialog.getByRole('button', { name: 'Shut down and snapshot' }).click()
    await expect(page.locator('[data-testid="snapshot-row"][data-snapshot="kept"]')).toBeVisible({ timeout: 180_000 })
    await expect(page.getByTestId('snapshot-name')).toHaveValue('')
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${name}"]`)).toContainText('Running', { timeout: 60_000 })
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('a snapshot name typed for one VM is not offered for the next one shown', async ({ page, sim }) => {
  const names = ['e2e-form-a', 'e2e-form-b']
  for (const name of names) expect((await sim.harness.run(['clone', DEFAULT_IMAGE, name])).exitCode).toBe(0)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${names[0]}"]`).click({ timeout: 30_000 })
    await page.getByTestId('view-snapshots').click()
    await page.getByTestId('snapshot-name').fill('for-a')
    await page.locator(`[data-testid="vm-row"][data-vm="${names[1]}"]`).click()
    await expect(page.getByTestId('snapshot-name')).toHaveValue('')
  } finally {
    for (const name of names) await sim.harness.run(['delete', name])
  }
})

test('a snapshot that fails gives its name back to the field; one that succeeds does not', async ({ page, sim }) => {
  const name = 'e2e-snapfail'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, name])).exitCode).toBe(0)
  try {
    await sim.harness.setFaults(name, { clone_fail: true })
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click({ timeout: 30_000 })
    await page.getByTestId('view-snapshots').click()
    const field = page.getByTestId('snapshot-name')
    await field.fill('keep-me')
    await page.getByTestId('snapshot-create').click()
    const toast = page.getByTestId('toast').filter({ hasText: 'keep-me' })
    await expect(toast).toBeVisible({ timeout: 60_000 })
    // Tart's long NSError text is cut to four lines in the toast; Details… has all of it.
    const body = await toast.locator('.toast-body').evaluate((el) => ({ shown: el.clientHeight, whole: el.scrollHeight, line: parseFloat(getComputedStyle(el).lineHeight) }))
    expect(body.whole).toBeGreaterThan(body.shown)
    expect(body.shown).toBeLessThanOrEqual(4 * body.line + 1)
    await expect(field).toHaveValue('keep-me')
    await expect(page.getByTestId('snapshot-create')).toBeEnabled()
    await captureScreen(page, 'snapshot-failed-name-kept')

    await sim.harness.setFaults(name, {})
    await page.getByTestId('snapshot-create').click()
    await expect(page.locator('[data-testid="snapshot-row"][data-snapshot="keep-me"]')).toBeVisible({ timeout: 60_000 })
    await expect(field).toHaveValue('')
  } finally {
    await sim.harness.run(['delete', name])
  }
})

test('a question about programs running in a VM closes once the VM stops elsewhere, having done nothing', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const name = 'e2e-snapmoot'
  // Started outside CAL, so a snapshot would shut it down; a program works in a tmux session made by hand.
  const vm = await sim.bootVm(name)
  try {
    expect((await sshExec(vm, "tmux new-session -d -s build 'sleep 600'")).code).toBe(0)
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await page.getByTestId('vm-snapshot').click()
    const dialog = page.getByTestId('power-dialog')
    await expect(dialog).toContainText('build: sleep')
    // Stopped from elsewhere (a terminal, the tray, another window) while the user reads.
    await vm.stop()
    await expect(dialog).toHaveCount(0, { timeout: 30_000 })
    await expect(page.getByTestId('toast').filter({ hasText: `${name} is no longer running` })).toContainText('nothing was done')
    await page.getByTestId('view-snapshots').click()
    await expect(page.getByTestId('snapshot-row')).toHaveCount(0)
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('Stop clicked while a snapshot works says that it waits for it, then stops the VM once the snapshot is taken', async ({ page, sim }) => {
  test.setTimeout(240_000)
  const name = 'e2e-stopqueued'
  // Started outside CAL, so the snapshot shuts it down and starts it again: time enough to click Stop meanwhile.
  const vm = await sim.bootVm(name)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await page.getByTestId('vm-snapshot').click()
    await expect(page.getByTestId('vm-restart')).toBeDisabled()
    await page.getByTestId('vm-stop').click()
    await expect(page.getByTestId('toast').filter({ hasText: `Stop ${name} waits for` })).toContainText('It goes ahead once that has finished.')
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${name}"]`)).toContainText('Stopped', { timeout: 180_000 })
    await page.getByTestId('view-snapshots').click()
    await expect(page.getByTestId('snapshot-row')).toHaveCount(1)
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('a sheet that cannot check a stopped VM starts it from there, then checks it', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const name = 'e2e-startcheck'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, name])).exitCode).toBe(0)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click({ timeout: 30_000 })
    await page.getByTestId('vm-delete').click()
    const report = page.getByTestId('delete-vm-dialog').getByTestId('safety-report')
    await expect(report).toHaveAttribute('data-clean', 'unknown', { timeout: 30_000 })
    await expect(report).toContainText(`${name} is not running, so CAL cannot check it`)
    await report.getByTestId('safety-start').click()
    await expect(report).toHaveAttribute('data-clean', 'true', { timeout: 90_000 })
    await captureScreen(page, 'delete-started-and-checked')
    await page.keyboard.press('Escape')
  } finally {
    await sim.harness.run(['stop', name]).catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('snapshots left by a delete cut short are shown in the sidebar, and finishing the delete removes them', async ({ page, sim }) => {
  const name = 'e2e-cutshort'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, name])).exitCode).toBe(0)
  const clones = async () => (JSON.parse((await sim.harness.run(['list', '--format', 'json'])).stdout) as { Name: string }[]).map((v) => v.Name).filter((n) => n.startsWith(`${name}.`))
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click({ timeout: 30_000 })
    await page.getByTestId('view-snapshots').click()
    await page.getByTestId('snapshot-name').fill('kept')
    await page.getByTestId('snapshot-create').click()
    await expect(page.locator('[data-testid="snapshot-row"][data-snapshot="kept"]')).toBeVisible({ timeout: 60_000 })
    await expect(page.getByTestId('deleted-leftovers')).toHaveCount(0)
    // Tart deletes the VM itself and CAL goes no further (what a delete killed half-way leaves).
    expect((await sim.harness.run(['delete', name])).exitCode).toBe(0)
    const note = page.getByTestId('deleted-leftovers').getByRole('note')
    await expect(note).toContainText(`${name} was deleted, but 1 snapshot of it (< 1 GB) is left.`, { timeout: 30_000 })
    await captureScreen(page, 'deleted-leftovers')
    await note.getByRole('button', { name: 'Finish deleting…' }).click()
    const dialog = page.getByTestId('finish-delete-dialog')
    await expect(dialog).toContainText(`${name} itself was deleted, but the delete did not finish before its snapshot was (CAL quit, the Mac slept, or Tart could not delete one: a copy that runs must be stopped first).`)
    await dialog.getByRole('button', { name: 'Delete snapshot' }).click()
    await expect(page.getByTestId('deleted-leftovers')).toHaveCount(0, { timeout: 60_000 })
    expect(await clones()).toEqual([])
  } finally {
    await sim.harness.run(['delete', name]).catch(() => {})
    for (const clone of await clones()) await sim.harness.run(['delete', clone])
  }
})
