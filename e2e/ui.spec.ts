import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_IMAGE, sshExec } from '../test/sim/harness'
import { test, expect } from './fixtures'
import { captureScreen } from './ui/screens'
import { startHost } from './ui/host'
import { openShellTab, terminalText, typeInTerminal, waitConnected } from './ui/terminal'

/**
 * The UI end to end, in Chromium, through the browser host and the simulated Tart host: every click goes
 * through window.cal to the real engine, whose VMs are real sshd guests.
 */
const VM = 'e2e-ws'
const MARKER = 'cal-e2e-marker.txt'

test('a workspace from creation to restore, and the VM limit', async ({ page, sim }) => {
  test.setTimeout(300_000)
  const markerOnDisk = join(sim.tartHome, 'vms', VM, 'guest-home', MARKER)

  await test.step('create a workspace and watch its progress', async () => {
    // Either the empty state or the list: anything else (e.g. "Tart is not installed") means the host is wrong.
    // The empty state only shows once the first VM list has arrived, so this cannot catch a loading page.
    await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
    // The simulated host is shared with the worker's other tests, so there may already be VMs.
    if (await page.getByTestId('no-vms').isVisible()) {
      await captureScreen(page, 'no-vms')
      await page.getByTestId('empty-create').click()
    } else {
      await page.getByTestId('new-workspace').click()
    }
    const name = page.getByTestId('create-name')
    await name.fill('bad name!')
    await expect(page.locator('#vm-name-error')).toContainText('letters, digits')
    await name.fill(VM)
    await expect(page.locator('#vm-name-error')).toBeEmpty()
    await captureScreen(page, 'create')
    await page.getByTestId('create-submit').click()
    const progress = page.getByTestId('create-progress')
    await expect(progress.getByTestId('task')).toBeVisible()
    await expect(progress.getByRole('progressbar')).toBeVisible()
    await expect(progress.getByRole('list', { name: 'Steps' })).toBeVisible()
    await captureScreen(page, 'create-progress')
    await expect(progress.getByTestId('task')).toHaveAttribute('data-task-state', 'succeeded', { timeout: 180_000 })
    // The keyboard is on Done once the task ends (its Cancel button went): Enter closes the sheet.
    await expect(page.getByTestId('create-close')).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(progress).toHaveCount(0)
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toBeVisible()
  })

  await test.step('start it and see the banner turn green', async () => {
    await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
    // By keyboard: Start turns into a Stop button (disabled while it starts), and the keyboard stays in the window.
    await page.getByTestId('vm-start').focus()
    await page.keyboard.press('Enter')
    const banner = page.getByTestId('status-banner')
    await expect(banner).toHaveAttribute('data-tone', 'green', { timeout: 90_000 })
    await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('main') && document.activeElement !== document.body), { timeout: 5_000 }).toBe(true)
    await expect(banner).toContainText('ISOLATION ACTIVE')
    await expect(banner).toContainText(`VM: ${VM}`)
    await expect(page.getByTestId('running-count')).toContainText(/[12]\/2 running/)
    await captureScreen(page, 'overview-running')
  })

  await test.step('open the terminal and write a file', async () => {
    await page.getByTestId('vm-terminal').click()
    await expect(page.getByTestId('terminal-tab')).toHaveCount(1)
    await waitConnected(page)
    await typeInTerminal(page, `echo hello-from-cal > ~/${MARKER}`)
    await expect.poll(() => existsSync(markerOnDisk), { timeout: 15_000 }).toBe(true)
    await captureScreen(page, 'terminal')
  })

  await test.step('take a snapshot', async () => {
    await page.getByTestId('view-snapshots').click()
    await page.getByTestId('snapshot-name').fill('before')
    await page.getByTestId('snapshot-create').click()
    await expect(page.locator('[data-testid="snapshot-row"][data-snapshot="before"]')).toBeVisible({ timeout: 120_000 })
    await captureScreen(page, 'snapshots')
  })

  await test.step('delete the file', async () => {
    await page.getByTestId('view-terminal').click()
    await typeInTerminal(page, `rm ~/${MARKER}`)
    await expect.poll(() => existsSync(markerOnDisk), { timeout: 15_000 }).toBe(false)
    // A program still at work when the restore comes: its sheet names it, as the Stop sheet would.
    await typeInTerminal(page, 'sleep 600')
  })

  await test.step('restore: the safety report is clean, and the file is back', async () => {
    await page.getByTestId('view-snapshots').click()
    await page.locator('[data-testid="snapshot-row"][data-snapshot="before"]').getByTestId('snapshot-restore').click()
    const dialog = page.getByTestId('snapshot-confirm')
    await expect(dialog.getByTestId('safety-report')).toHaveAttribute('data-clean', 'true', { timeout: 30_000 })
    await expect(dialog.getByTestId('loss-text')).toContainText('since then is lost')
    await expect(dialog.getByRole('list', { name: 'Running programs' })).toContainText(/shell.*: sleep/)
    await captureScreen(page, 'restore-confirm')
    // While the user reads, work appears in the VM (an agent still at it): a repository with a file never committed.
    // The engine checks again at the confirmation, so the restore waits for a yes to the new report.
    const wip = join(sim.tartHome, 'vms', VM, 'guest-home', 'wip')
    mkdirSync(wip)
    const git = (args: string[]) => spawnSync('git', args, { cwd: wip, stdio: 'ignore' }).status
    expect(git(['init', '-q'])).toBe(0)
    writeFileSync(join(wip, 'notes.txt'), 'not committed\n')
    await dialog.getByTestId('confirm-action').click()
    await expect(dialog.getByTestId('report-changed')).toBeVisible({ timeout: 30_000 })
    await expect(dialog.getByTestId('safety-report')).toHaveAttribute('data-clean', 'false')
    await expect(dialog.getByTestId('safety-report')).toContainText('1 untracked file')
    await expect(dialog.getByTestId('confirm-action')).toHaveText('Restore anyway')
    await captureScreen(page, 'restore-report-changed')
    await dialog.getByTestId('confirm-action').click()
    await expect(dialog).toBeHidden()
    await expect.poll(() => existsSync(markerOnDisk), { timeout: 180_000 }).toBe(true)
    // The restore task ends by bringing the VM back to the state it was in (running here).
    await page.getByTestId('view-workspace').click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 120_000 })
    // The swap never took the VM out of the list, so the window kept it selected (not another running VM).
    await expect(page.getByTestId('status-banner')).toContainText(`VM: ${VM}`)
    await page.getByTestId('vm-terminal').click()
    await waitConnected(page)
    await typeInTerminal(page, `cat ~/${MARKER}`)
    await expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain('hello-from-cal')
  })

  await test.step('stop the VM', async () => {
    await page.getByTestId('view-workspace').click()
    await page.getByTestId('vm-stop').click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 })
  })

  await test.step('a third running VM is refused with the limit message and its hint', async () => {
    // Fill both of the host's slots outside CAL (other tests may hold one already), then ask for a third.
    const running = Number(/(\d)\/2/.exec((await page.getByTestId('running-count').textContent()) ?? '')?.[1] ?? 0)
    const others = []
    try {
      for (const name of ['e2e-other-a', 'e2e-other-b'].slice(0, Math.max(0, 2 - running))) others.push(await sim.bootVm(name))
      await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
      await page.getByTestId('vm-start').click()
      const dialog = page.getByTestId('limit-dialog')
      await expect(dialog).toBeVisible({ timeout: 30_000 })
      // The limit said once (the title), then which VMs hold the slots and how to free one: no CLI hint, no repeats.
      await expect(dialog.getByTestId('limit-message')).toHaveText(`Apple's licence allows no more at once on one Mac. To start ${VM}, stop one of these:`)
      expect((await dialog.textContent())?.match(/two macOS VMs/gi)).toHaveLength(1)
      await expect(dialog).not.toContainText('cal stop')
      await expect(dialog.getByRole('button', { name: /^Stop / })).toHaveCount(2)
      await captureScreen(page, 'vm-limit')
      // The keyboard starts on Close, not on a Stop: Enter stops nothing.
      await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused()
      const mine = others[0]
      if (mine) {
        // A Stop that asks first (a program runs there), answered Cancel, comes back to this sheet.
        expect((await sshExec(mine, "tmux new-session -d -s build 'sleep 600'")).code).toBe(0)
        await dialog.getByRole('button', { name: `Stop ${mine.name}` }).click()
        const question = page.getByTestId('power-dialog')
        await expect(question).toContainText('build: sleep')
        await question.getByRole('button', { name: 'Cancel' }).click()
        await expect(dialog.getByTestId('limit-message')).toContainText(`To start ${VM}, stop one of these`)
        // Once a slot is free, the sheet says so and the keyboard is on Start.
        await mine.stop()
        await expect(dialog.getByRole('heading')).toHaveText('A slot is free', { timeout: 30_000 })
        await expect(dialog.getByRole('button', { name: `Start ${VM}` })).toBeFocused()
      }
    } finally {
      // The slots are the host's: the later tests of this file boot VMs of their own.
      for (const vm of others) await vm.stop().catch(() => {})
    }
  })

  await test.step('settings, activity and the command palette', async () => {
    await page.keyboard.press('Escape')
    await page.getByTestId('nav-tasks').click()
    await expect(page.getByTestId('tasks-view').getByTestId('task').first()).toBeVisible()
    await captureScreen(page, 'activity')
    await page.getByTestId('nav-settings').click()
    await expect(page.getByTestId('settings-view')).toBeVisible()
    await captureScreen(page, 'settings')
    await page.keyboard.press('ControlOrMeta+k')
    await expect(page.getByTestId('palette')).toBeVisible()
    await page.getByTestId('palette-input').fill(`switch to ${VM}`)
    await captureScreen(page, 'palette')
    await page.keyboard.press('Enter')
    await expect(page.getByRole('main', { name: VM })).toBeVisible()
    await page.getByTestId('view-snapshots').click()
    await page.keyboard.press('ControlOrMeta+Comma')
    await expect(page.getByTestId('settings-view')).toBeVisible()
    // Settings has the keyboard, and Escape goes back to the VM's view it was opened from; the VM's row meanwhile
    // stays selected but unlit.
    await expect(page.getByTestId('settings-view')).toBeFocused()
    await expect(page.getByTestId('vm-list')).toHaveClass(/\baway\b/)
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('settings-view')).toHaveCount(0)
    await expect(page.getByTestId('view-snapshots')).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('vm-list')).not.toHaveClass(/\baway\b/)
  })
})

test('Tart missing shows the install help', async ({ browser }) => {
  const calHome = mkdtempSync(join(tmpdir(), 'cal-e2e-notart-'))
  const host = await startHost(['--tart', join(calHome, 'no-such-tart'), '--cal-home', calHome])
  const page = await browser.newPage()
  try {
    await page.goto(host.url)
    const help = page.getByTestId('tart-missing')
    await expect(help).toBeVisible()
    await expect(page.getByTestId('tart-install-command')).toHaveText('brew install cirruslabs/cli/tart')
    await captureScreen(page, 'tart-missing')
    // A Host tab is where one installs it: the command is typed there, for the user to run with Return.
    await page.getByTestId('tart-install-in-host').click()
    await expect(page.getByRole('main', { name: 'Host terminal' })).toBeVisible()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'host')
    await waitConnected(page)
    // At the shell's prompt, once (typed ahead of the prompt, the tty would have echoed it above it too).
    await expect.poll(() => terminalText(page)).toMatch(/[$#%>] brew install cirruslabs\/cli\/tart/)
    expect((await terminalText(page)).match(/brew install/g)).toHaveLength(1)
    await captureScreen(page, 'tart-missing-host-terminal')
    await page.keyboard.press('Control+u')
    await typeInTerminal(page, 'echo "host-$((6*7))"')
    await expect.poll(() => terminalText(page)).toMatch(/^host-42$/m)
    // Overview brings the install help back; Terminal, the same tab.
    await page.getByTestId('view-workspace').click()
    await expect(page.getByTestId('tart-missing')).toBeVisible()
    await page.getByTestId('view-terminal').click()
    await expect.poll(() => terminalText(page)).toMatch(/^host-42$/m)
  } finally {
    await page.close()
    await host.stop()
    rmSync(calHome, { recursive: true, force: true })
  }
})

test('number fields: emptied they stay empty and required, never 0; memory in GB; what 0 means; disabled looks disabled', async ({ page }) => {
  await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
  await page.getByTestId('new-workspace').click()
  const sheet = page.getByTestId('create-dialog')
  await sheet.getByTestId('create-name').fill('e2e-numbers')
  const cpu = sheet.getByLabel('CPU cores')
  await cpu.fill('')
  await expect(cpu).toHaveValue('')
  await expect(cpu).toHaveAttribute('aria-invalid', 'true')
  await expect(sheet.locator('#vm-cpu-error')).toHaveText('Required: a whole number from 2 to 64.')
  await expect(sheet.getByLabel('Memory (GB)')).toHaveValue('8')

  // A blue button, once disabled, looks disabled in the dark too: not blue, not white-on-blue.
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
  const create = sheet.getByTestId('create-submit')
  const look = () => create.evaluate((b) => ({ bg: getComputedStyle(b).backgroundColor, color: getComputedStyle(b).color, opacity: getComputedStyle(b).opacity }))
  await cpu.fill('4')
  const enabled = await look()
  await cpu.fill('')
  await create.click()
  await expect(create).toBeDisabled()
  const disabled = await look()
  expect(disabled.bg).not.toBe(enabled.bg)
  expect(disabled.color).not.toBe(enabled.color)
  expect(disabled.opacity).toBe('1')
  await captureScreen(page, 'create-required')
  await page.keyboard.press('Escape')

  await page.getByTestId('nav-settings').click()
  const memory = page.getByTestId('settings-view').getByRole('spinbutton', { name: 'Memory' })
  await expect(memory).toHaveValue('8')
  await expect(memory.locator('xpath=..')).toContainText('GB')
  await memory.fill('')
  await memory.blur()
  await expect(memory).toHaveValue('')
  await expect(memory).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByTestId('settings-view')).toContainText('Required: a number from 4 to 1024, to one decimal. 8 GB stays saved until then.')
  await memory.fill('6.5')
  await memory.press('Enter')
  await expect(memory).toHaveAttribute('aria-invalid', 'false')
  await expect(page.getByTestId('settings-view')).toContainText('0 = no limit on the count')
  // A text field the engine would refuse says so on the field, not in a toast naming the setting's key.
  const user = page.getByTestId('settings-view').getByLabel('SSH user')
  await user.fill('')
  await user.blur()
  await expect(user).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByTestId('settings-view')).toContainText('Not saved: use the VM account\'s short name')
  await expect(page.getByTestId('toast')).toHaveCount(0)
  await user.fill('admin')
  await user.blur()
  await expect(user).toHaveAttribute('aria-invalid', 'false')
  // No control for what CAL does not do yet (the proxy modes).
  await expect(page.getByTestId('settings-view').getByLabel('Proxy')).toHaveCount(0)
  // Saved in GB, read back in GB (not 0, not MB) by a fresh window; the create sheet takes it as its default.
  await page.reload()
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('settings-view').getByRole('spinbutton', { name: 'Memory' })).toHaveValue('6.5')
  await page.getByTestId('new-workspace').click()
  await expect(page.getByTestId('create-dialog').getByLabel('Memory (GB)')).toHaveValue('6.5')
})

test('a failed create is said once, in its sheet, and not again in a toast', async ({ page }) => {
  test.setTimeout(90_000)
  await expect(page.getByTestId('no-vms').or(page.getByTestId('vm-row').first())).toBeVisible()
  await page.getByTestId('new-workspace').click()
  await page.getByTestId('create-name').fill('e2e-no-image')
  await page.getByLabel('Base image').fill('ghcr.io/cal-e2e/no-such-image:latest')
  await page.getByTestId('create-submit').click()
  const progress = page.getByTestId('create-progress')
  await expect(progress.getByTestId('task')).toHaveAttribute('data-task-state', 'failed', { timeout: 60_000 })
  await expect(progress.getByRole('alert')).toContainText('could not be found')
  // Main's notice of the failure comes on its own: give it time to arrive, then look for toasts.
  await page.waitForTimeout(1500)
  await expect(page.locator('[data-testid="toast"].toast-error')).toHaveCount(0)
  await captureScreen(page, 'create-failed')
  // Back to the form with what was typed, to fix the image rather than start over.
  await page.getByTestId('create-edit').click()
  await expect(progress).toBeHidden()
  await expect(page.getByTestId('create-name')).toHaveValue('e2e-no-image')
  await expect(page.getByLabel('Base image')).toHaveValue('ghcr.io/cal-e2e/no-such-image:latest')
  await page.getByTestId('create-dialog').getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByTestId('create-dialog')).toBeHidden()
  await expect(page.locator('[data-testid="toast"].toast-error')).toHaveCount(0)
})

test('the view tabs follow the arrow keys, Home and End, with one tab stop', async ({ page, sim }) => {
  const name = 'e2e-tabs'
  await sim.harness.run(['clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', name])
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${name}"]`).click()
    const tab = (v: string) => page.getByTestId(`view-${v}`)
    await expect(tab('workspace')).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByRole('tab', { selected: false }).and(page.locator('[tabindex="0"]'))).toHaveCount(0)
    await tab('workspace').focus()
    await page.keyboard.press('ArrowRight')
    await expect(tab('snapshots')).toBeFocused()
    await expect(tab('snapshots')).toHaveAttribute('aria-selected', 'true')
    await expect(tab('snapshots')).toHaveAttribute('tabindex', '0')
    await expect(tab('workspace')).toHaveAttribute('tabindex', '-1')
    await page.keyboard.press('End')
    await expect(tab('terminal')).toBeFocused()
    await expect(tab('terminal')).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('ArrowRight')
    await expect(tab('workspace')).toBeFocused()
    await page.keyboard.press('ArrowLeft')
    await expect(tab('terminal')).toBeFocused()
    await page.keyboard.press('Home')
    await expect(tab('workspace')).toBeFocused()
    await expect(tab('workspace')).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByRole('tabpanel', { name: 'Overview' })).toBeVisible()
  } finally {
    await sim.harness.run(['delete', name])
  }
})

test('a snapshot copy started by hand is not listed, but the running count counts it and its tooltip names it', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const copy = 'e2e-unl.snap.by-hand'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, copy])).exitCode).toBe(0)
  const count = page.getByTestId('running-count')
  await expect(count).toBeVisible()
  const before = Number(/^(\d)\//.exec((await count.textContent()) ?? '')?.[1])
  const vm = await sim.bootVm(copy)
  try {
    await expect(count).toHaveText(`${before + 1}/2 running`, { timeout: 30_000 })
    await expect(count).toHaveAttribute('title', /counting e2e-unl\.snap\.by-hand: started outside CAL and not listed here \(`tart stop e2e-unl\.snap\.by-hand` stops it\)$/)
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${copy}"]`)).toHaveCount(0)
    // A new window (here a reload) knows of it at once, not only once it changes.
    await page.reload()
    await expect(count).toHaveText(`${before + 1}/2 running`)
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', copy])
  }
  await expect(count).toHaveText(`${before}/2 running`, { timeout: 30_000 })
})

test('a running VM without an address says so in its banner, its row and its overview, and offers nothing that needs one', async ({ page, sim }) => {
  test.setTimeout(90_000)
  const name = 'e2e-noip'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, name])).exitCode).toBe(0)
  await sim.harness.setFaults(name, { no_ip: true })
  const vm = sim.harness.startVm(name)
  try {
    const row = page.locator(`[data-testid="vm-row"][data-vm="${name}"]`)
    await row.click({ timeout: 30_000 })
    const banner = page.getByTestId('status-banner')
    await expect(banner).toContainText('RUNNING, NO ADDRESS', { timeout: 30_000 })
    await expect(banner).toHaveAttribute('data-tone', 'yellow')
    await expect(row).toContainText('Running · no address')
    await expect(page.getByTestId('no-address')).toContainText(`${name} has no network address.`)
    for (const id of ['vm-launch', 'vm-terminal', 'vm-vnc']) await expect(page.getByTestId(id)).toBeDisabled()
    await captureScreen(page, 'running-no-address')
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('deleting a running VM names the programs that end with it, as the Stop sheet does', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const name = 'e2e-programs'
  const vm = await sim.bootVm(name)
  try {
    await openShellTab(page, name)
    await typeInTerminal(page, 'sleep 600')
    await page.getByTestId('view-workspace').click()
    await page.getByTestId('vm-delete').click()
    const sheet = page.getByTestId('delete-vm-dialog')
    await expect(sheet.getByRole('list', { name: 'Running programs' })).toContainText(/shell.*: sleep/, { timeout: 15_000 })
    await expect(sheet).toContainText(`Still running in ${name}:`)
    await captureScreen(page, 'delete-running-programs')
    await page.keyboard.press('Escape')
    // The Stop sheet names it the same way.
    await page.getByTestId('vm-stop').click()
    await expect(page.getByTestId('power-dialog').getByRole('list', { name: 'Running programs' })).toContainText(/shell.*: sleep/)
    await page.keyboard.press('Escape')
  } finally {
    await vm.stop().catch(() => {})
    await sim.harness.run(['delete', name])
  }
})

test('a workspace being created is shown as such, and stays selected until Tart lists it', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const other = 'e2e-crt-other'
  const name = 'e2e-crt-new'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, other])).exitCode).toBe(0)
  try {
    await page.locator(`[data-testid="vm-row"][data-vm="${other}"]`).click({ timeout: 30_000 })
    await expect(page.locator('.main-title')).toHaveText(other)
    await page.getByTestId('new-workspace').click()
    await page.getByTestId('create-name').fill(name)
    // An image not pulled yet: the VM is listed only after the pull and the clone. A small one: CAL checks the real
    // disk's free space before a pull (the Xcode image asks for about 83 GB, more than a CI machine may have).
    await page.getByLabel('Base image').fill('ghcr.io/cirruslabs/ubuntu:latest')
    // What the main view behind the sheet shows, every 10 ms, from the click on.
    await page.evaluate(() => {
      const w = globalThis as unknown as { __seen: { title: string; noVms: boolean; creating: boolean }[]; __timer: number }
      w.__seen = []
      w.__timer = setInterval(() => {
        w.__seen.push({
          title: document.querySelector('.main-title')?.textContent ?? '',
          noVms: !!document.querySelector('[data-testid="no-vms"]'),
          creating: !!document.querySelector('[data-testid="creating-vm"]'),
        })
      }, 10) as unknown as number
    })
    await page.getByTestId('create-submit').click()
    const progress = page.getByTestId('create-progress')
    await expect(progress.getByTestId('task')).not.toHaveAttribute('data-task-state', 'running', { timeout: 90_000 })
    // A failure says why, rather than only "failed".
    expect({ state: await progress.getByTestId('task').getAttribute('data-task-state'), says: await progress.textContent() }).toMatchObject({ state: 'succeeded' })
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${name}"]`)).toHaveAttribute('aria-selected', 'true')
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as { __seen: { title: string; noVms: boolean; creating: boolean }[]; __timer: number }
      clearInterval(w.__timer)
      return w.__seen
    })
    // Never "No workspaces yet" (there are some), never another VM once the new one was selected.
    expect(seen.filter((s) => s.noVms)).toEqual([])
    const first = seen.findIndex((s) => s.title === name)
    expect(first).toBeGreaterThanOrEqual(0)
    expect([...new Set(seen.slice(first).map((s) => s.title))]).toEqual([name])
    expect(seen.some((s) => s.creating && s.title === name)).toBe(true)
    await page.getByTestId('create-close').click()
    await expect(page.locator('.main-title')).toHaveText(name)
    await expect(page.getByTestId('creating-vm')).toHaveCount(0)
  } finally {
    for (const vm of [name, other]) await sim.harness.run(['delete', vm]).catch(() => {})
  }
})

test('a workspace can be created from a VM on this Mac (cal-clean → cal-dev → cal-init), not only from an image', async ({ page, sim }) => {
  test.setTimeout(120_000)
  const base = 'e2e-chain-base'
  const name = 'e2e-chain-ws'
  expect((await sim.harness.run(['clone', DEFAULT_IMAGE, base])).exitCode).toBe(0)
  try {
    await expect(page.locator(`[data-testid="vm-row"][data-vm="${base}"]`)).toBeVisible({ timeout: 30_000 })
    await page.getByTestId('new-workspace').click()
    await page.getByTestId('create-name').fill(name)
    const image = page.getByLabel('Base image')
    // The VMs here are offered beside the default image.
    await expect(page.locator(`#vm-image-options option[value="${base}"]`)).toHaveCount(1)
    await image.fill('e2e-no-such-vm')
    await expect(page.locator('#vm-image-error')).toContainText('There is no VM named "e2e-no-such-vm" on this Mac')
    await image.fill(base)
    await expect(page.locator('#vm-image-error')).toHaveText('An image, or a VM on this Mac to clone (such as cal-init).')
    await page.getByTestId('create-submit').click()
    const progress = page.getByTestId('create-progress')
    await expect(progress.getByTestId('task')).toHaveAttribute('data-task-state', 'succeeded', { timeout: 90_000 })
    await page.getByTestId('create-close').click()
    await expect(page.locator('.main-title')).toHaveText(name)
    await expect(page.locator('.fact').filter({ hasText: 'Base image' })).toContainText(base)
  } finally {
    for (const vm of [name, base]) await sim.harness.run(['delete', vm]).catch(() => {})
  }
})
