import { expect, type Page } from '@playwright/test'

/** The id of the terminal tab on screen (its tabpanel is the one not hidden). */
export async function visibleSessionId(page: Page): Promise<string> {
  const panel = page.locator('[data-testid="terminal-pane"] [role="tabpanel"]:not([hidden])')
  await expect(panel).toHaveCount(1)
  const id = await panel.getAttribute('id')
  return id!.replace(/^tabpanel-/, '')
}

/** Types a command into the visible terminal, as a user would. */
export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('[data-testid="terminal-pane"] [role="tabpanel"]:not([hidden]) .xterm').click()
  await page.keyboard.type(text)
  await page.keyboard.press('Enter')
}

/** The visible terminal's buffer as text (xterm renders to a canvas/DOM the test should not scrape). */
export async function terminalText(page: Page): Promise<string> {
  const id = await visibleSessionId(page)
  return page.evaluate((sessionId) => {
    type Buffer = { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined }
    const terms = (window as unknown as { __calTerms?: { get(id: string): { buffer: { active: Buffer } } | undefined } }).__calTerms
    const term = terms?.get(sessionId)
    if (!term) return ''
    const buffer = term.buffer.active
    const lines: string[] = []
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '')
    return lines.join('\n')
  }, id)
}

/** Waits until the visible tab says it is connected, then for the shell prompt to settle. */
export async function waitConnected(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 })
}

/** A terminal tab's panel in the terminal pane. */
export const terminalPanel = (page: Page, id: string) => page.getByTestId('terminal-pane').getByTestId(`terminal-${id}`)

/** Opens a shell tab in `vm` as a user does (select the VM, "Open terminal"), waits for it to connect, focuses it. */
export async function openShellTab(page: Page, vm: string): Promise<string> {
  await page.locator(`[data-testid="vm-row"][data-vm="${vm}"]`).click()
  await page.getByTestId('view-workspace').click()
  const before = await page.locator('[data-testid="terminal-pane"] [role="tabpanel"]').count()
  await page.getByTestId('vm-terminal').click()
  await expect(page.locator('[data-testid="terminal-pane"] [role="tabpanel"]')).toHaveCount(before + 1)
  const id = await visibleSessionId(page)
  await expect(terminalPanel(page, id)).toHaveAttribute('data-state', 'connected', { timeout: 30_000 })
  await terminalPanel(page, id).locator('.xterm').click()
  return id
}
