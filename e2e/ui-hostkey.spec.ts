import { test, expect } from './fixtures'
import { waitConnected } from './ui/terminal'

/**
 * A VM recreated under the same name answers with a new SSH host key: CAL refuses to connect, says why, and
 * offers the explicit "Forget host key" action; after it, the terminal connects and pins the new key.
 */
const VM = 'e2e-hostkey'

test('a changed host key is refused until the user forgets it', async ({ page, sim }) => {
  test.setTimeout(120_000)
  let vm = await sim.bootVm(VM)
  try {
    const row = page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)
    await row.click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await page.getByTestId('vm-terminal').click()
    await waitConnected(page)

    // Same name, new disk: stop and delete it behind CAL's back, then boot a fresh clone (new host keys).
    await vm.stop()
    expect((await sim.harness.run(['delete', VM])).exitCode).toBe(0)
    vm = await sim.bootVm(VM)
    // While it was gone the window may have selected another workspace (the one left running by another spec).
    await row.click()
    await page.getByTestId('view-workspace').click()
    await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green', { timeout: 30_000 })
    await page.getByTestId('vm-terminal').click()
    const toast = page.locator('[data-testid="toast"][data-code="SSH_HOST_KEY_MISMATCH"]')
    await expect(toast).toBeVisible({ timeout: 30_000 })
    await expect(toast.getByTestId('toast-hint')).toContainText('Forget host key')
    // The app's wording: the button beside it, not the command line's `cal ssh NAME --forget-host-key`.
    await expect(toast.getByTestId('toast-hint')).not.toContainText('cal ssh')

    await toast.getByTestId('forget-host-key').click()
    await expect(page.getByTestId('toast').filter({ hasText: `Forgot ${VM}'s host key` })).toBeVisible()
    await page.getByTestId('view-workspace').click()
    await page.getByTestId('vm-terminal').click()
    await waitConnected(page)
  } finally {
    // Leave the worker's shared simulated host with a free slot for the other specs.
    await vm.stop()
    await sim.harness.run(['delete', VM])
  }
})
