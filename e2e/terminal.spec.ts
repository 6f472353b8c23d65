import { execFile } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Page } from '@playwright/test'
import type { CalApi } from '../src/shared/api'
import { expect, test } from './fixtures'
import { captureScreen } from './ui/screens'
import { openShellTab, terminalPanel, visibleSessionId } from './ui/terminal'

// The embedded terminal end to end: Chromium → browser host → engine → ssh2 → the sim VM's tmux, and back.
// Sessions are opened as a user opens them, from the workspace's "Open terminal", and read from xterm's buffer.

interface TermLike {
  cols: number
  rows: number
  buffer: { active: { length: number; viewportY: number; baseY: number; getLine(i: number): { isWrapped: boolean; translateToString(trim: boolean): string } | undefined } }
}
interface PageWindow {
  cal: CalApi
  __calTerms: { get(id: string): TermLike | undefined }
  __states?: string[]
  __off?: () => void
}

const VM = 'e2e-term'
test.describe.configure({ mode: 'serial' })

/**
 * Opens a shell tab the way a user does (select the VM, "Open terminal") and returns its session id.
 * Every terminal:state the page sees from here on is recorded in window.__states.
 */
async function openShell(page: Page): Promise<string> {
  await page.evaluate(() => {
    const w = globalThis as unknown as PageWindow
    w.__states = []
    w.__off?.()
    w.__off = w.cal.on('terminal:state', (s) => w.__states!.push(s.state))
  })
  return openShellTab(page, VM)
}

/** A new window, as a reload gives: back to the VM's terminal view and the tab `id`, which the engine kept open. */
async function reopenTab(page: Page, id: string): Promise<void> {
  await page.reload()
  await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
  await page.getByTestId('view-terminal').click()
  await page.locator(`#tab-${id}`).click()
}

const term = terminalPanel

/**
 * The shell in the VM sees `cols` columns (tmux keeps one row for its status line, so only the columns are compared).
 * Asked again until it does: tmux applies a new size asynchronously, as any program gets SIGWINCH, so a command typed
 * in the same instant may still print the old one.
 */
async function expectGuestCols(page: Page, id: string, cols: number): Promise<void> {
  await expect
    .poll(async () => {
      await page.keyboard.type('clear; echo "size=$(stty size)"\n')
      await page.waitForTimeout(300)
      return screen(page, id)
    })
    .toMatch(new RegExp(`^size=\\d+ ${cols}$`, 'm'))
}

function screen(page: Page, id: string): Promise<string> {
  return page.evaluate((sid) => {
    const buf = (globalThis as unknown as PageWindow).__calTerms.get(sid)!.buffer.active
    const lines: string[] = []
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '')
    return lines.join('\n')
  }, id)
}

const size = (page: Page, id: string) => page.evaluate((sid) => {
  const t = (globalThis as unknown as PageWindow).__calTerms.get(sid)!
  return { cols: t.cols, rows: t.rows }
}, id)

let vmIp = ''

test.beforeAll(async ({ sim }) => {
  vmIp = (await sim.bootVm(VM)).ip
})

test('types a command and sees its output, follows a window resize', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('echo "answer-$((6*7))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^answer-42$/m)

  const before = await size(page, id)
  await page.setViewportSize({ width: 900, height: 520 })
  await expect.poll(async () => (await size(page, id)).cols).toBeLessThan(before.cols)
  const { cols } = await size(page, id)
  await expectGuestCols(page, id, cols)
})

test("an underline's colour comes through tmux as the program set it", async ({ page }) => {
  const id = await openShell(page)
  // tmux passes it on as 58:2:R:G:B, which xterm.js alone read as black.
  await page.keyboard.type("clear; printf '\\e[4m\\e[58;2;255;0;0mred-under\\e[0m \\e[4:3m\\e[58;2;0;128;255mblue-curl\\e[0m\\n'\n")
  await expect.poll(() => screen(page, id)).toMatch(/^red-under blue-curl$/m)
  const colour = (text: string) =>
    term(page, id)
      .locator('.xterm-rows span', { hasText: text })
      .first()
      .evaluate((el) => getComputedStyle(el).textDecorationColor)
  await expect.poll(() => colour('red-under')).toBe('rgb(255, 0, 0)')
  await expect.poll(() => colour('blue-curl')).toBe('rgb(0, 128, 255)')
})

test('the mouse wheel scrolls back through earlier output, and never sends keys to the shell', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('echo "history-bait"\n')
  // Printed line by line, as a working agent or build prints: each line that leaves the screen is kept.
  await page.keyboard.type('for i in $(seq 1 80); do echo "line-$i"; sleep 0.01; done\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^line-80$/m)
  const view = () =>
    page.evaluate((sid) => {
      const b = (globalThis as unknown as { __calTerms: Map<string, { buffer: { active: { type: string; viewportY: number; baseY: number } } }> }).__calTerms.get(sid)!.buffer.active
      return { type: b.type, viewportY: b.viewportY, baseY: b.baseY }
    }, id)
  expect(await view()).toMatchObject({ type: 'normal' })
  expect((await view()).baseY).toBeGreaterThan(0)
  expect(await screen(page, id)).toMatch(/^line-1$/m)
  const box = (await term(page, id).boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.wheel(0, -600)
  await expect.poll(async () => (await view()).viewportY).toBeLessThan((await view()).baseY)
  // The wheel scrolled the view: the shell got no arrow keys, so its prompt did not recall "history-bait".
  await page.mouse.wheel(0, 10_000)
  await expect.poll(async () => { const v = await view(); return v.viewportY === v.baseY }).toBe(true)
  await page.waitForTimeout(300)
  const last = (await screen(page, id)).trimEnd().split('\n').filter((l) => l.trim() && !l.startsWith('[')).at(-1)
  expect(last).toMatch(/\$ ?$/)
})

test('the mouse wheel over less scrolls less, as a local terminal does; back at the prompt it scrolls the scrollback', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('clear; seq -f "page-%g" 1 400 > /tmp/wheel.txt; less +G /tmp/wheel.txt\n')
  const view = () =>
    page.evaluate((sid) => {
      const t = (globalThis as unknown as PageWindow).__calTerms.get(sid)!
      const b = t.buffer.active
      const rows: string[] = []
      for (let i = b.baseY; i < b.baseY + t.rows; i++) rows.push(b.getLine(i)?.translateToString(true) ?? '')
      const pages = rows.map((r) => /^page-(\d+)$/.exec(r)?.[1]).filter((n) => n !== undefined).map(Number)
      return { viewportY: b.viewportY, baseY: b.baseY, first: pages[0] ?? 0, last: pages.at(-1) ?? 0 }
    }, id)
  await expect.poll(async () => (await view()).last, { timeout: 20_000 }).toBe(400)
  const before = await view()
  const box = (await term(page, id).boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.wheel(0, -300)
  // less scrolled up by the wheel's lines; xterm's view stayed at the bottom (it used to show the shell's earlier output).
  await expect.poll(async () => (await view()).last, { timeout: 10_000 }).toBeLessThan(400)
  const up = await view()
  expect(up.first).toBeLessThan(before.first)
  expect(up.viewportY).toBe(up.baseY)
  await page.mouse.wheel(0, 300)
  await expect.poll(async () => (await view()).last, { timeout: 10_000 }).toBe(400)

  await page.keyboard.type('q')
  await page.keyboard.type('echo "after-less"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^after-less$/m)
  await page.mouse.wheel(0, -300)
  await expect.poll(async () => { const v = await view(); return v.viewportY < v.baseY }).toBe(true)
  // The shell got no arrow keys: its prompt did not recall the echo.
  await page.mouse.wheel(0, 10_000)
  await page.waitForTimeout(300)
  const last = (await screen(page, id)).trimEnd().split('\n').filter((l) => l.trim() && !l.startsWith('[')).at(-1)
  expect(last).toMatch(/\$ ?$/)
})

test('a resize while reading back leaves the view where it was; the tab is redrawn once back at the bottom', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('clear; for i in $(seq 1 150); do echo "row-$i"; done\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^row-150$/m)
  const view = () =>
    page.evaluate((sid) => {
      const b = (globalThis as unknown as PageWindow).__calTerms.get(sid)!.buffer.active
      return { viewportY: b.viewportY, baseY: b.baseY }
    }, id)
  // Past the check that follows a burst (it redraws too when tmux skipped lines).
  await page.waitForTimeout(1000)
  const box = (await term(page, id).boundingBox())!
  await page.mouse.move(box.x + 100, box.y + 100)
  await page.mouse.wheel(0, -300)
  await expect.poll(async () => { const v = await view(); return v.viewportY > 0 && v.viewportY < v.baseY }).toBe(true)
  // Shorter and narrower: the redraw that follows a resize replaced the scrollback, and put the view at its first line.
  await page.setViewportSize({ width: 1100, height: 640 })
  await page.waitForTimeout(1500)
  const after = await view()
  expect(after.viewportY).toBeGreaterThan(0)
  expect(after.viewportY).toBeLessThan(after.baseY)
  // Back at the bottom (the wheel gets there: xterm 6 left its scroll position stale after such a resize), the redraw
  // comes: without it, the resize leaves lines missing or copied.
  await page.mouse.wheel(0, 10_000)
  await expect
    .poll(async () => { const rows = (await screen(page, id)).split('\n').filter((l) => /^row-\d+$/.test(l)); return rows.length === 150 && rows.every((l, i) => l === `row-${i + 1}`) }, { timeout: 10_000 })
    .toBe(true)
})

test('another window opening the same tab leaves this one reading where it was', async ({ page, host }) => {
  const id = await openShell(page)
  await page.keyboard.type('clear; for i in $(seq 1 150); do echo "win-$i"; done\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^win-150$/m)
  await page.waitForTimeout(1000)
  const box = (await term(page, id).boundingBox())!
  await page.mouse.move(box.x + 100, box.y + 100)
  await page.mouse.wheel(0, -600)
  const top = () =>
    page.evaluate((sid) => {
      const b = (globalThis as unknown as PageWindow).__calTerms.get(sid)!.buffer.active
      return { viewportY: b.viewportY, baseY: b.baseY, first: b.getLine(b.viewportY)?.translateToString(true) ?? '' }
    }, id)
  await expect.poll(async () => { const v = await top(); return v.viewportY > 0 && v.viewportY < v.baseY }).toBe(true)
  const reading = (await top()).first
  // A second window shows the same tab: the engine redraws it there, and its output reaches every window.
  const other = await page.context().newPage()
  try {
    await other.goto(host.url)
    await other.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
    await other.getByTestId('view-terminal').click()
    await other.locator(`#tab-${id}`).click()
    await expect.poll(() => screen(other, id)).toMatch(/^win-150$/m)
    await page.waitForTimeout(1000)
    // Before, this window's view went to the scrollback's first line.
    const now = await top()
    expect(now.viewportY).toBeGreaterThan(0)
    expect(now.first).toBe(reading)
  } finally {
    await other.close()
  }
})

test('Ctrl+L puts the cleared screen into the scrollback, as a local terminal does', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('clear; seq -f "cl-%g" 1 100\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^cl-100$/m)
  // Past the check that follows the burst.
  await page.waitForTimeout(1000)
  await page.keyboard.press('Control+l')
  await page.keyboard.type('echo "after-$((1+1))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^after-2$/m)
  // tmux wiped its screen line by line and kept it in its history; the tab's scrollback had only what had scrolled.
  await expect
    .poll(async () => { const rows = (await screen(page, id)).split('\n').filter((l) => /^cl-\d+$/.test(l)); return rows.length === 100 && rows.every((l, i) => l === `cl-${i + 1}`) }, { timeout: 10_000 })
    .toBe(true)
})

test('clear empties the scrollback as it empties tmux\'s history, after a burst and after a quiet screen', async ({ page }) => {
  const id = await openShell(page)
  const left = async (prefix: string) => (await screen(page, id)).split('\n').filter((l) => l.startsWith(prefix)).length
  // A burst (tmux skips lines on screen, and the check redraws the tab from its history), then clear at once.
  await page.keyboard.type('clear; seq -f "cb-%g" 1 400; clear\n')
  await page.keyboard.type('echo "after-$((2+1))"\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^after-3$/m)
  await page.waitForTimeout(1000)
  await expect.poll(() => left('cb-'), { timeout: 10_000 }).toBe(0)
  // A screen that filled slowly, then clear typed on its own.
  await page.keyboard.type('for i in $(seq 1 60); do echo "cq-$i"; done\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^cq-60$/m)
  await page.waitForTimeout(1000)
  await page.keyboard.type('clear\n')
  await page.keyboard.type('echo "after-$((3+1))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^after-4$/m)
  await page.waitForTimeout(1000)
  await expect.poll(() => left('cq-'), { timeout: 10_000 }).toBe(0)
  const history = await page.evaluate(async (sid) => (await (globalThis as unknown as PageWindow).cal.terminal.tail({ id: sid, lines: 1000, depths: [] })), id)
  expect(JSON.stringify(history)).not.toMatch(/c[bq]-\d/)
})

test('a resize while less runs leaves the scrollback as tmux keeps it once less quits: no gap, no copies', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('clear; seq -f "vl-%g" 1 300\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^vl-300$/m)
  await page.waitForTimeout(1000)
  // The tab's scrollback against tmux's history (which tmux reflows itself): the same lines, each once, in order.
  const sameAsTmux = () =>
    page.evaluate(async (sid) => {
      const w = globalThis as unknown as PageWindow
      const buf = w.__calTerms.get(sid)!.buffer.active
      const mine: string[] = []
      for (let i = 0; i < buf.baseY; i++) mine.push(buf.getLine(i)?.translateToString(true) ?? '')
      const r = await w.cal.terminal.tail({ id: sid, lines: 1000, depths: [] })
      if (!r.ok) return false
      const vl = (lines: string[]) => lines.map((l) => l.trimEnd()).filter((l) => /^vl-\d+$/.test(l))
      const theirs = vl(r.value.lines)
      const numbers = vl(mine).map((l) => Number(l.slice(3)))
      return theirs.length > 200 && vl(mine).join(',') === theirs.join(',') && numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)
    }, id)
  for (const size of [{ width: 1000, height: 600 }, { width: 1280, height: 800 }]) {
    await page.keyboard.type('less /etc/services\n')
    await expect.poll(() => screen(page, id)).toMatch(/Network services/)
    // tmux reflows the screen it saved for less into (or out of) its history when less quits.
    await page.setViewportSize(size)
    await page.waitForTimeout(1000)
    await page.keyboard.press('q')
    await expect.poll(sameAsTmux, { timeout: 10_000 }).toBe(true)
  }
})

test('on macOS, ⌘← and ⌘→ go to the start and end of the line, and ⌘⌫ deletes to its start', async ({ page }) => {
  // The page decides "macOS" from navigator.platform when it loads.
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'platform', { get: () => 'MacIntel' }))
  await page.reload()
  const id = await openShell(page)
  await page.keyboard.type('echo world')
  await page.keyboard.press('Meta+ArrowLeft')
  await page.keyboard.type('echo hello; ')
  await page.keyboard.press('Meta+ArrowRight')
  await page.keyboard.type('-again\n')
  await expect.poll(() => screen(page, id)).toMatch(/^hello\nworld-again$/m)
  await page.keyboard.type('echo gone')
  await page.keyboard.press('Meta+Backspace')
  await page.keyboard.type('echo "kept-$((1+1))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^kept-2$/m)
  expect(await screen(page, id)).not.toMatch(/gone.*kept/)
})

test('Ctrl+/ sends ^_ (undo) and Ctrl+2 sends ^@, as local terminals do (xterm.js sends nothing for them)', async ({ page }) => {
  const id = await openShell(page)
  // The next two bytes the terminal sends, as octal, read raw (no echo, no line editing).
  await page.keyboard.type('stty raw -echo; head -c 2 | od -An -bv | sed "s/^/bytes:/"; stty sane\n')
  await page.waitForTimeout(500)
  await page.keyboard.press('Control+/')
  await page.keyboard.press('Control+2')
  await expect.poll(() => screen(page, id)).toMatch(/^bytes: *037 000\s*$/m)
})

test('finds text on the screen: count, match case, regular expressions, back to the shell on Escape', async ({ page }) => {
  const id = await openShell(page)
  // The command line spells the word in two halves, so only the output matches.
  await page.keyboard.type('clear; for i in 1 2 3; do echo "nee""dle-$i"; done; echo "NEE""DLE"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^NEEDLE$/m)
  await page.keyboard.press('Control+Shift+F')
  const find = term(page, id).getByTestId('terminal-find')
  await find.getByTestId('terminal-find-input').fill('needle')
  await expect(find.getByTestId('terminal-find-count')).toHaveText(/^\d of 4$/)
  await find.getByTestId('terminal-find-case').click()
  await expect(find.getByTestId('terminal-find-count')).toHaveText(/^\d of 3$/)
  await find.getByTestId('terminal-find-regex').click()
  await find.getByTestId('terminal-find-input').fill('needle-[12]')
  await expect(find.getByTestId('terminal-find-count')).toHaveText(/^\d of 2$/)
  await find.getByTestId('terminal-find-input').fill('needle-(')
  await expect(find.getByTestId('terminal-find-count')).toHaveText('Invalid pattern')
  await find.getByTestId('terminal-find-input').fill('needle-[12]')
  await find.getByTestId('terminal-find-input').press('Enter')
  await captureScreen(page, 'terminal-find')
  // Back in the terminal, the same key returns to the open find bar with its text selected.
  await term(page, id).locator('.xterm').click()
  await page.keyboard.press('Control+Shift+F')
  await page.keyboard.type('needle-3')
  await expect(find.getByTestId('terminal-find-count')).toHaveText('1 of 1')
  await find.getByTestId('terminal-find-input').press('Escape')
  await expect(find).toHaveCount(0)
  await page.keyboard.type('echo "back-$((2+3))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^back-5$/m)
})

test('finds the newest match first, on the screen, not the oldest one up in the scrollback', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('echo "MARK""ER-old"; seq 1 300; echo "MARK""ER-new"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^MARKER-new$/m)
  // A burst makes tmux skip lines on screen; the check that follows redraws them into the scrollback. Search after it.
  await expect.poll(() => screen(page, id), { timeout: 10_000 }).toMatch(/^MARKER-old$/m)
  await page.keyboard.press('Control+Shift+F')
  const find = term(page, id).getByTestId('terminal-find')
  // Typed again should a late redraw (a second check after the burst, on a busy machine) replace the scrollback under
  // the search: the matches are found anew then, from the top.
  await expect(async () => {
    await find.getByTestId('terminal-find-input').fill('')
    await find.getByTestId('terminal-find-input').fill('marker-')
    await expect(find.getByTestId('terminal-find-count')).toHaveText('2 of 2', { timeout: 3_000 })
  }).toPass({ timeout: 20_000 })
  // Typing on keeps that match, and the terminal stays at the bottom.
  await find.getByTestId('terminal-find-input').pressSequentially('n')
  await expect(find.getByTestId('terminal-find-count')).toHaveText('1 of 1')
  const scrolled = await page.evaluate((sid) => {
    const buf = (globalThis as unknown as { __calTerms: { get(id: string): { buffer: { active: { viewportY: number; baseY: number } } } } }).__calTerms.get(sid)!.buffer.active
    return buf.baseY - buf.viewportY
  }, id)
  expect(scrolled).toBe(0)
  // Enter goes on up to the older match, Shift+Enter back down to the newer one.
  await find.getByTestId('terminal-find-input').fill('marker-')
  await find.getByTestId('terminal-find-input').press('Enter')
  await expect(find.getByTestId('terminal-find-count')).toHaveText('1 of 2')
  await find.getByTestId('terminal-find-input').press('Shift+Enter')
  await expect(find.getByTestId('terminal-find-count')).toHaveText('2 of 2')
  await find.getByTestId('terminal-find-input').press('Escape')
})

test('a closed tab detaches: Sessions reattaches it with its screen, and ends it for good', async ({ page }) => {
  const id = await openShell(page)
  const name = await page.evaluate(async (sid) => {
    const r = await (globalThis as unknown as PageWindow).cal.terminal.list()
    return r.ok ? (r.value.find((s) => s.id === sid)?.tmuxSession ?? '') : ''
  }, id)
  expect(name).toMatch(/^shell-\d+$/)
  await page.keyboard.type('seq -f "early-%g" 1 120; SPOT=still-here; echo "spot-$SPOT"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^spot-still-here$/m)
  // A program left running in it, for Sessions to name.
  await page.keyboard.type('sleep 600\n')
  await page.getByTestId('terminal-pane').getByRole('button', { name: `Close ${VM}: ${name}` }).click()
  await expect(term(page, id)).toHaveCount(0)

  await page.getByTestId('sessions-button').click()
  const row = page.getByTestId('sessions-panel').locator(`[data-testid="session-row"][data-name="${name}"]`)
  await expect(row).toHaveAttribute('data-open', 'no')
  await expect(row).toContainText('detached')
  // All it says is shown, wrapped under the name rather than cut off.
  const meta = row.getByTestId('session-meta')
  await expect(meta).toContainText(/ · running sleep · started /)
  expect(await meta.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= el.closest('li')!.getBoundingClientRect().right)).toBe(true)
  // The keyboard goes into the list, and Escape brings it back to the button.
  await expect(page.getByTestId('sessions-panel').locator('button').first()).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('sessions-panel')).toHaveCount(0)
  await expect(page.getByTestId('sessions-button')).toBeFocused()
  await page.keyboard.press('Enter')
  await captureScreen(page, 'terminal-sessions')
  await row.getByTestId('session-show').click()
  await expect(page.getByTestId('sessions-panel')).toHaveCount(0)
  const again = await visibleSessionId(page)
  await expect(term(page, again)).toHaveAttribute('data-state', 'connected', { timeout: 30_000 })
  // The same tmux session, redrawn: its screen and its shell variable are still there, and tmux's scrollback is
  // above it (the first lines left the screen long before the tab was closed), once and in order.
  await expect.poll(() => screen(page, again)).toMatch(/^early-1\nearly-2\n(.*\n)*early-120\n(.*\n)*spot-still-here$/m)
  expect((await screen(page, again)).match(/^early-1$/gm)).toHaveLength(1)
  await term(page, again).locator('.xterm').click()
  await page.keyboard.press('Control+C')
  await page.keyboard.type('echo "again-$SPOT"\n')
  await expect.poll(() => screen(page, again)).toMatch(/^again-still-here$/m)

  await page.getByTestId('sessions-button').click()
  await expect(row).toHaveAttribute('data-open', 'yes')
  await row.getByTestId('session-end').click()
  const dialog = page.getByTestId('end-session-dialog')
  await expect(dialog).toContainText(`End ${name} in ${VM}?`)
  await dialog.getByTestId('end-session-confirm').click()
  await expect(term(page, again)).toHaveCount(0)
  await page.getByTestId('sessions-button').click()
  await expect(page.getByTestId('sessions-panel')).not.toContainText('Looking')
  await expect(row).toHaveCount(0)
  await page.keyboard.press('Escape')
})

test('a new window (here a reload) shows the open terminals with their screen and scrollback', async ({ page }) => {
  const id = await openShell(page)
  // A line longer than the terminal is wide, which tmux wraps: it must come back as one line xterm wraps (a URL copied
  // or Ctrl+clicked whole), not as rows ended by line breaks.
  await page.keyboard.type('echo "long-$(printf \'x%.0s\' $(seq 1 300))-end"; seq -f "before-reload-%g" 1 100; echo "reload-$((20+22))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^reload-42$/m)
  await reopenTab(page, id)
  await expect(page.locator(`#tab-${id}`)).toHaveAttribute('data-state', 'connected')
  // The engine kept the terminal; the new xterm gets tmux's scrollback above the screen, once, in order.
  await expect.poll(() => screen(page, id)).toMatch(/^before-reload-1\nbefore-reload-2\n(.*\n)*before-reload-100\n(.*\n)*reload-42$/m)
  expect((await screen(page, id)).match(/^before-reload-1$/gm)).toHaveLength(1)
  const long = await page.evaluate((sid) => {
    const buf = (globalThis as unknown as PageWindow).__calTerms.get(sid)!.buffer.active
    for (let i = 0; i < buf.length; i++) {
      if (!buf.getLine(i)?.translateToString(true).startsWith('long-x')) continue
      let text = buf.getLine(i)!.translateToString(true)
      let rows = 1
      for (let j = i + 1; buf.getLine(j)?.isWrapped; j++, rows++) text += buf.getLine(j)!.translateToString(true)
      return { text, rows }
    }
    return null
  }, id)
  expect(long).toEqual({ text: `long-${'x'.repeat(300)}-end`, rows: expect.any(Number) })
  expect(long!.rows).toBeGreaterThan(1)
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('echo "typed-$((40+2))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^typed-42$/m)
})

test('a new window shows a Host tab with its screen and scrollback too (kept by a headless copy in the engine)', async ({ page }) => {
  await openShell(page)
  await page.getByTestId('host-tab').click()
  await expect(page.locator('[data-testid="terminal-tab"][data-kind="host"][aria-selected="true"]')).toHaveAttribute('data-state', 'connected')
  // The banner says this tab is not isolated; back on the VM's tab, it is green again.
  await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'host')
  await expect(page.getByTestId('status-banner')).toContainText('NOT ISOLATED')
  await page.locator('[data-testid="terminal-tab"][data-kind="shell"]').first().click()
  await expect(page.getByTestId('status-banner')).toHaveAttribute('data-tone', 'green')
  await page.locator('[data-testid="terminal-tab"][data-kind="host"]').click()
  const id = await visibleSessionId(page)
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('seq -f "host-line-%g" 1 100; echo "host-$((40+2))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^host-42$/m)
  await reopenTab(page, id)
  await expect(page.locator(`#tab-${id}`)).toHaveAttribute('data-state', 'connected')
  await expect.poll(() => screen(page, id)).toMatch(/^host-line-1\nhost-line-2\n(.*\n)*host-line-100\n(.*\n)*host-42$/m)
  expect((await screen(page, id)).match(/^host-line-1$/gm)).toHaveLength(1)
  await captureScreen(page, 'host-tab-after-reload')
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('echo "host-typed-$((40+2))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^host-typed-42$/m)
})

test('Clear scrollback empties the tab\'s history and tmux\'s, so a new window does not bring it back', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('for i in $(seq 1 80); do echo "clear-me-$i"; sleep 0.01; done; echo "after-clear-$((1+1))"\n')
  await expect.poll(() => screen(page, id), { timeout: 20_000 }).toMatch(/^clear-me-1\n(.*\n)*after-clear-2$/m)
  await page.getByTestId('open-palette').click()
  await page.getByTestId('palette-input').fill('Clear scrollback')
  await page.keyboard.press('Enter')
  // The screen stays; only what had scrolled off it is gone.
  await expect.poll(() => screen(page, id)).not.toMatch(/^clear-me-1$/m)
  expect(await screen(page, id)).toMatch(/^after-clear-2$/m)
  await reopenTab(page, id)
  await expect.poll(() => screen(page, id)).toMatch(/^after-clear-2$/m)
  expect(await screen(page, id)).not.toMatch(/^clear-me-1$/m)
})

test("a web link opens through the app on Ctrl+click (⌘ on macOS), not on a plain click; the VM's localhost points at the VM", async ({ page, host }) => {
  const id = await openShell(page)
  await page.keyboard.type('clear; echo "dev server on http://localhost:3000/app"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^dev server on http:\/\/localhost:3000\/app$/m)
  const ip = await page.evaluate(async (name) => {
    const r = await (globalThis as unknown as PageWindow).cal.vms.get({ name })
    return r.ok ? r.value.ip : null
  }, VM)
  expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
  // The web-links addon underlines a link under the pointer, which says how to open it. The link starts at column 14.
  const row = (await term(page, id).locator('.xterm-rows > div', { hasText: /^dev server on/ }).first().boundingBox())!
  const { cols } = await size(page, id)
  const at = { x: row.x + (row.width / cols) * 20, y: row.y + row.height / 2 }
  await page.mouse.move(at.x, at.y)
  await expect(term(page, id).locator('[title]')).toHaveAttribute('title', `http://${ip}:3000/app\nCtrl+click to open`)
  // A plain click is a click; Ctrl+click opens the link. In a browser the page opens it itself (the app hands it to
  // the OS); nothing listens on :3000, so only the request is checked.
  await page.mouse.click(at.x, at.y)
  const request = page.context().waitForEvent('request', (r) => r.url() === `http://${ip}:3000/app`)
  const popup = page.waitForEvent('popup')
  await page.keyboard.down('Control')
  await page.mouse.click(at.x, at.y)
  await page.keyboard.up('Control')
  await expect.poll(() => host.log()).toContain(`open external http://${ip}:3000/app`)
  await request
  await (await popup).close()
  // Opened once: the plain click, sent first, opened nothing.
  expect(host.log().split(`open external http://${ip}:3000/app`).length - 1).toBe(1)
})

test('an OSC 8 hyperlink opens through the app too, and shows where it goes on hover', async ({ page, host }) => {
  const id = await openShell(page)
  // xterm's own handler would ask with confirm() and open the link itself, past CAL's checks: none of that here.
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  // Written straight into xterm (tmux would not pass the hyperlink on): text that says one thing and links to another.
  // First the shell's output settles (the tab's first redraw erases the screen when it lands), so nothing erases it.
  await page.keyboard.type('echo "ready-$((1+1))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^ready-2$/m)
  await page.evaluate(
    (sid) =>
      new Promise<void>((resolve) => {
        let timer = setTimeout(done, 500)
        const off = (globalThis as unknown as PageWindow).cal.on('terminal:data', ({ id }) => {
          if (id !== sid) return
          clearTimeout(timer)
          timer = setTimeout(done, 500)
        })
        function done() {
          off()
          resolve()
        }
      }),
    id,
  )
  await page.evaluate((sid) => {
    const t = (globalThis as unknown as { __calTerms: Map<string, { write(data: string): void }> }).__calTerms.get(sid)!
    t.write('\r\n\x1b]8;;https://example.com/x\x07osc-link-text\x1b]8;;\x07\r\n')
  }, id)
  const row = (await term(page, id).locator('.xterm-rows > div', { hasText: /^osc-link-text/ }).first().boundingBox())!
  const { cols } = await size(page, id)
  const at = { x: row.x + (row.width / cols) * 4, y: row.y + row.height / 2 }
  await page.mouse.move(at.x, at.y)
  await expect(term(page, id).locator('[title]')).toHaveAttribute('title', 'https://example.com/x\nCtrl+click to open')
  const popup = page.waitForEvent('popup')
  await page.keyboard.down('Control')
  await page.mouse.click(at.x, at.y)
  await page.keyboard.up('Control')
  await expect.poll(() => host.log()).toContain('open external https://example.com/x')
  await (await popup).close()
  await page.mouse.move(at.x, 0)
  await expect(term(page, id).locator('[title]')).toHaveCount(0)
  expect(dialogs).toEqual([])
})

test('Ctrl+Shift+V pastes once, bracketed when the program asks for it', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  const id = await openShell(page)
  const text = 'echo "pasted-$((5+6))"'
  type PasteWindow = { __sent: string[]; __calTerms: Map<string, { onData(l: (d: string) => void): void; write(d: string): void }>; navigator: { clipboard: { writeText(t: string): Promise<void> } } }
  const sent = () => page.evaluate(() => (globalThis as unknown as PasteWindow).__sent.join(''))
  // Record what xterm sends to the VM; ask for bracketed paste (DECSET 2004) as a shell or an editor does. tmux
  // takes the brackets off for a pane that did not ask, so the shell below still runs the line.
  await page.evaluate(
    ({ sid, clip }) => {
      const w = globalThis as unknown as PasteWindow
      w.__sent = []
      w.__calTerms.get(sid)!.onData((d) => w.__sent.push(d))
      w.__calTerms.get(sid)!.write('\x1b[?2004h')
      return w.navigator.clipboard.writeText(clip)
    },
    { sid: id, clip: text },
  )
  await page.keyboard.press('Control+Shift+V')
  await expect.poll(sent).toContain(text)
  // Once: the browser's own paste reaches xterm, and nothing reads the clipboard a second time.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)))
  expect(await sent()).toBe(`\x1b[200~${text}\x1b[201~`)
  await page.evaluate((sid) => (globalThis as unknown as PasteWindow).__calTerms.get(sid)!.write('\x1b[?2004l'), id)
  await page.keyboard.press('Enter')
  await expect.poll(() => screen(page, id)).toMatch(/^pasted-11$/m)
})

test('a paste that hides an end-of-paste marker cannot run the command after it', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  const id = await openShell(page)
  // A text copied from a web page: "echo safe", a hidden end-of-paste marker, then a command and a line feed. bash
  // asks for bracketed paste itself; with the marker left in, it took the rest as typed and ran it.
  const clip = 'echo safe-$((1+1))\x1b[201~echo "INJECTED-$((2+3))"\n'
  await page.evaluate((text) => (globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }).navigator.clipboard.writeText(text), clip)
  await page.keyboard.press('Control+Shift+V')
  await expect.poll(() => screen(page, id)).toContain('[201~echo "INJECTED-$((2+3))"')
  await page.waitForTimeout(500)
  expect(await screen(page, id)).not.toMatch(/^INJECTED-5$/m)
  // All of it is one line waiting at the prompt, run only with Enter.
  await page.keyboard.press('Enter')
  await expect.poll(() => screen(page, id)).toMatch(/^safe-2\[201~echo INJECTED-5$/m)
})

test('the keyboard stays in the terminal after the palette closes, and after a tab closes with its ×', async ({ page }) => {
  const first = await openShell(page)
  // Ctrl+Shift+K in a terminal off macOS (plain Ctrl+K is the shell's); Escape closes the palette.
  await page.keyboard.press('Control+Shift+K')
  await expect(page.getByTestId('palette')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('palette')).toHaveCount(0)
  await page.keyboard.type('echo "after-palette-$((2+2))"\n')
  await expect.poll(() => screen(page, first)).toMatch(/^after-palette-4$/m)

  // The × of a tab behind the one in front: the button goes, and the keys go on to the tab in front.
  const second = await openShell(page)
  await page.locator('.tab', { has: page.locator(`#tab-${first}`) }).locator('.tab-close').click()
  await expect(term(page, first)).toHaveCount(0)
  // Main's last output and its 'closed' for the detached session arrive after: no hidden xterm is built for them.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 500)))
  expect(await page.evaluate(() => (globalThis as unknown as { __calTerms: { ids(): string[] } }).__calTerms.ids())).not.toContain(first)
  await expect(page.locator(`#tab-${second}`)).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.type('echo "after-close-$((3+3))"\n')
  await expect.poll(() => screen(page, second)).toMatch(/^after-close-6$/m)
})

test('arrowing along the tab strip keeps the keyboard there; a click on a tab focuses its terminal', async ({ page }) => {
  const first = await openShell(page)
  const second = await openShell(page)
  const settle = () => page.evaluate(() => new Promise((r) => setTimeout(r, 50)))
  await page.locator(`#tab-${first}`).click()
  await expect(term(page, first).locator('.xterm-helper-textarea')).toBeFocused()
  await page.locator(`#tab-${first}`).focus()
  await page.keyboard.press('ArrowRight')
  await expect(page.locator(`#tab-${second}`)).toHaveAttribute('aria-selected', 'true')
  // The shown tab had its chance to take focus (it does so on a timer): the tab strip kept it.
  await settle()
  await expect(page.locator(`#tab-${second}`)).toBeFocused()
  await page.keyboard.press('ArrowLeft')
  await expect(page.locator(`#tab-${first}`)).toHaveAttribute('aria-selected', 'true')
  await settle()
  await expect(page.locator(`#tab-${first}`)).toBeFocused()
  await page.locator(`#tab-${second}`).click()
  await expect(term(page, second).locator('.xterm-helper-textarea')).toBeFocused()
})

test('Settings → Terminal font size applies to the open terminal, and the guest sees the new size; Option as Meta reaches it too', async ({ page }) => {
  const id = await openShell(page)
  const before = await size(page, id)
  const backToTerminal = async () => {
    await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
    await page.getByTestId('view-terminal').click()
  }
  // Ctrl+, from the terminal (⌘, on a Mac): Settings open with the keyboard on one of its controls, not on nothing.
  await term(page, id).locator('.xterm').click()
  await page.keyboard.press(process.platform === 'darwin' ? 'Meta+Comma' : 'Control+Comma')
  await expect(page.getByTestId('settings-view')).toBeVisible()
  await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('main') && document.activeElement !== document.body)).toBe(true)
  const field = page.getByLabel('Terminal font size')
  await field.fill('20')
  await field.press('Enter')
  await backToTerminal()
  await expect.poll(async () => (await size(page, id)).cols).toBeLessThan(before.cols)
  const { cols } = await size(page, id)
  await term(page, id).locator('.xterm').click()
  await expectGuestCols(page, id, cols)
  // Back to the default, for the tests after this one.
  await page.getByTestId('nav-settings').click()
  await field.fill('13')
  await field.press('Enter')
  await backToTerminal()
  await expect.poll(async () => (await size(page, id)).cols).toBe(before.cols)

  // Option as Meta: off by default (Option types characters, as in Terminal.app); the switch reaches open terminals.
  const optionIsMeta = () => page.evaluate((sid) => (globalThis as unknown as { __calTerms: Map<string, { options: { macOptionIsMeta?: boolean } }> }).__calTerms.get(sid)!.options.macOptionIsMeta, id)
  expect(await optionIsMeta()).toBe(false)
  await page.getByTestId('nav-settings').click()
  const meta = page.getByRole('switch', { name: 'Use Option as Meta key in terminals' })
  // A controlled switch: it turns on once the engine has saved the setting.
  await meta.click()
  await expect(meta).toBeChecked()
  await expect.poll(optionIsMeta).toBe(true)
  await meta.click()
  await expect(meta).not.toBeChecked()
  await expect.poll(optionIsMeta).toBe(false)
  await backToTerminal()
})

test('a terminal that rings the bell out of sight is marked on its tab and its VM until shown', async ({ page }) => {
  const ringer = await openShell(page)
  // The bell rings two seconds later, while another tab is in front.
  await page.keyboard.type("clear; sleep 2; printf 'done\\a\\n'\n")
  const other = await openShell(page)
  expect(other).not.toBe(ringer)
  const tab = page.locator(`#tab-${ringer}`)
  const row = page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)
  await expect(tab).toHaveAttribute('data-attention', 'yes', { timeout: 15_000 })
  await expect(row).toHaveAttribute('data-attention', 'yes')
  await expect(page.locator(`#tab-${other}`)).toHaveAttribute('data-attention', 'no')
  await captureScreen(page, 'terminal-bell')
  // Ctrl+Tab (⌘⇧] on a Mac) shows the next tab, from inside the terminal too.
  await term(page, other).locator('.xterm').click()
  await page.keyboard.press('Control+Tab')
  await expect(tab).toHaveAttribute('aria-selected', 'true')
  await expect(tab).toHaveAttribute('data-attention', 'no')
  await expect(row).toHaveAttribute('data-attention', 'no')
  // A bell in the tab being looked at marks nothing.
  await term(page, ringer).locator('.xterm').click()
  await page.keyboard.type("printf 'again\\a\\n'\n")
  await expect.poll(() => screen(page, ringer)).toMatch(/^again$/m)
  await expect(tab).toHaveAttribute('data-attention', 'no')
  // With the window in the background, the bell goes to the engine, and the host's notice policy answers (the
  // app would show a native notification; the browser host shows the notice as a toast).
  await page.evaluate(() => {
    document.hasFocus = () => false
  })
  await page.keyboard.type("printf 'away\\a\\n'\n")
  const name = await page.evaluate(async (sid) => {
    const r = await (globalThis as unknown as PageWindow).cal.terminal.list()
    return r.ok ? (r.value.find((s) => s.id === sid)?.tmuxSession ?? '') : ''
  }, ringer)
  await expect(page.getByTestId('toast').filter({ hasText: `${name} in ${VM} rang the bell` })).toBeVisible()
})

test('reconnects to the same tmux screen after the connection drops', async ({ page, sim }) => {
  const id = await openShell(page)
  await page.keyboard.type('MARK=kept; echo "before-$MARK"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^before-kept$/m)

  const dropped = await sim.harness.sim(['drop', VM])
  expect(dropped.exitCode).toBe(0)
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageWindow).__states)).toContain('reconnecting')
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageWindow).__states?.at(-1))).toBe('connected')
  await expect(term(page, id)).toHaveAttribute('data-state', 'connected')
  // tmux redraws the same screen on reattach, and the same shell still has its variable.
  await expect.poll(() => screen(page, id)).toMatch(/^before-kept$/m)
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('echo "after-$MARK"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^after-kept$/m)
  // The redraw replaced the screen: its lines are not also copied into the scrollback.
  expect((await screen(page, id)).match(/^before-kept$/gm)).toHaveLength(1)

  // The VM out of reach for a while (every connection to its sshd cut, the kernel aborting it): attempts fail and the
  // wait between them grows. The banner counts them, says when the next starts and that typing is kept.
  const cut = () => promisify(execFile)('ss', ['-K', 'dst', vmIp, 'dport', '=', '22'])
  let cutting = true
  const cutter = (async () => {
    while (cutting) {
      await cut()
      await new Promise((r) => setTimeout(r, 10))
    }
  })()
  const status = term(page, id).getByTestId('terminal-status')
  try {
    await expect(status).toContainText('Reconnecting…')
    await expect(status.getByTestId('terminal-attempt')).toHaveText(/^Attempt [1-9]\d* · (next try in \d s|trying now…)$/)
    await expect(status.getByTestId('terminal-typing-kept')).toContainText('What you type is kept and sent once the session is back.')
    // A wait of 4 s or more: attempt 5 (250 ms doubling), counting down.
    await expect(status.getByTestId('terminal-attempt')).toHaveText(/^Attempt ([5-9]|\d\d) · next try in [45] s$/, { timeout: 30_000 })
    await captureScreen(page, 'terminal-reconnecting')
    // A new window mid-reconnect shows the card as it was at once, from the engine's list: the attempt still waiting
    // (its next event, "trying now…", is seconds away), the reason, and that typing is kept.
    // Taken when a full wait (5 s) has just begun, so the reload has seconds to spare before the attempt starts.
    await expect(status.getByTestId('terminal-attempt')).toHaveText(/^Attempt \d+ · next try in 5 s$/, { timeout: 15_000 })
    const before = (await status.getByTestId('terminal-attempt').textContent())!.match(/^Attempt (\d+)/)![1]
    await reopenTab(page, id)
    await expect(status.getByTestId('terminal-attempt')).toHaveText(new RegExp(`^Attempt ${before} · next try in \\d s$`), { timeout: 1_500 })
    await expect(status).toContainText('Reconnecting…')
    await expect(status.getByTestId('terminal-typing-kept')).toBeVisible()
    // Just after a failed attempt: the next one is 4 s or more away when the VM is back and "Retry now" is pressed.
    await expect(status.getByTestId('terminal-attempt')).toHaveText(/^Attempt ([5-9]|\d\d) · next try in [45] s$/, { timeout: 10_000 })
  } catch (err) {
    cutting = false
    await cutter
    throw err
  }
  cutting = false
  await cutter
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('echo "typed-while-$MARK"\n')
  // "Retry now" from the keyboard: the engine attaches at once, long before the next attempt was due.
  const retry = status.getByRole('button', { name: 'Retry now' })
  await retry.focus()
  await page.keyboard.press('Enter')
  await expect(term(page, id)).toHaveAttribute('data-state', 'connected', { timeout: 2_500 })
  await expect(status).toHaveCount(0)
  await expect.poll(() => screen(page, id)).toMatch(/^typed-while-kept$/m)
  // The banner took the keyboard with it: the terminal has it back.
  await page.keyboard.type('echo "retried-$MARK"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^retried-kept$/m)
})

test("when the page loses CAL and gets it back, it says so, then shows what the terminal printed meanwhile", async ({ page, host, sim }) => {
  const id = await openShell(page)
  const home = sim.harness.guestHome(VM)
  rmSync(join(home, 'go'), { force: true })
  rmSync(join(home, 'printed'), { force: true })
  await page.keyboard.type('echo "before-$((1+1))"; while [ ! -e ~/go ]; do sleep 0.1; done; echo "during-$((6*7))"; touch ~/printed\n')
  await expect.poll(() => screen(page, id)).toMatch(/^before-2$/m)

  // Cut the page's connections to the browser host (the kernel aborts them) and keep cutting every new one, so
  // that what the shell prints meanwhile can only reach the page through the redraw that follows the break.
  const cut = () => promisify(execFile)('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', String(host.port)])
  await cut()
  let cutting = true
  const cutter = (async () => {
    while (cutting) {
      await cut()
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  try {
    await expect(page.getByTestId('link-banner')).toBeVisible()
    await expect(term(page, id).getByTestId('terminal-status')).toContainText('Lost the connection to CAL')
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'reconnecting')
    writeFileSync(join(home, 'go'), '')
    await expect.poll(() => existsSync(join(home, 'printed'))).toBe(true)
  } finally {
    cutting = false
    await cutter
  }
  await expect(page.getByTestId('link-banner')).toBeHidden({ timeout: 15_000 })
  await expect.poll(() => screen(page, id)).toMatch(/^during-42$/m)
  // Polled: on a loaded machine the redraw may still be landing (a CI run once read the screen mid-redraw).
  await expect.poll(async () => (await screen(page, id)).match(/^before-2$/gm)?.length ?? 0).toBe(1)
  await expect(term(page, id).getByTestId('terminal-status')).toHaveCount(0)
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected')
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('echo "after-$((2+3))"\n')
  await expect.poll(() => screen(page, id)).toMatch(/^after-5$/m)
})

test('stays responsive during an output flood', async ({ page }) => {
  const id = await openShell(page)
  await page.keyboard.type('timeout 8 yes "flood flood flood flood flood flood flood flood"; clear\n')
  await expect.poll(() => screen(page, id)).toMatch(/^flood flood/m)
  // Typed while the flood runs: the page must take the keys and the shell runs them once the flood ends.
  await page.keyboard.type('echo "typed-during-$((1+1))"\n')
  await expect.poll(() => screen(page, id), { timeout: 30_000 }).toMatch(/^typed-during-2$/m)
})

test('Stop and Restart ask first while a program runs in the VM; Cancel keeps it running', async ({ page }) => {
  test.setTimeout(120_000)
  const id = await openShell(page)
  // Output of the session the restart ends: the tab keeps it above the new session's.
  await page.keyboard.type('clear; seq -f "kept-%g" 1 60; sleep 600\n')
  await expect.poll(() => screen(page, id)).toMatch(/^kept-60$/m)
  const name = await page.evaluate(async (sid) => {
    const r = await (globalThis as unknown as PageWindow).cal.terminal.list()
    return r.ok ? (r.value.find((s) => s.id === sid)?.tmuxSession ?? '') : ''
  }, id)
  // Sessions names what works in each one.
  await page.getByTestId('sessions-button').click()
  await expect(page.getByTestId('sessions-panel').locator(`[data-testid="session-row"][data-name="${name}"]`)).toContainText('running sleep')
  await page.keyboard.press('Escape')

  await page.getByTestId('view-workspace').click()
  await page.getByTestId('vm-stop').click()
  const dialog = page.getByTestId('power-dialog')
  await expect(dialog).toContainText(`Stop ${VM}? A program is still running in it.`)
  await expect(dialog).toContainText(`${name}: sleep`)
  await captureScreen(page, 'power-confirm')
  // Cancel is the default: Enter on the open sheet stops nothing.
  await page.keyboard.press('Enter')
  await expect(dialog).toHaveCount(0)
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText('Running')
  await page.getByTestId('view-terminal').click()
  await expect(term(page, id)).toHaveAttribute('data-state', 'connected')

  // Restart, confirmed: the VM comes back, and the tab reattaches to a fresh shell.
  await page.getByTestId('view-workspace').click()
  await page.getByTestId('vm-restart').click()
  await expect(dialog).toContainText(`Restart ${VM}? A program is still running in it.`)
  await dialog.getByTestId('power-confirm').click()
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText(/Stopping|Starting|Stopped/, { timeout: 30_000 })
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText('Running', { timeout: 60_000 })
  await page.getByTestId('view-terminal').click()
  await expect(term(page, id)).toHaveAttribute('data-state', 'connected', { timeout: 60_000 })
  // What the tab was told is read in full under the tabs, not squeezed beside them, and goes when dismissed.
  const note = page.getByTestId('connection-note')
  await expect(note).toContainText(`The VM restarted, and "${name}" ended with it: this is a new tmux session.`)
  await expect(page.getByTestId('connection-state')).toHaveText('Connected')
  // The note made the terminal shorter, and the redraw that follows a resize replaced the scrollback with tmux's: the
  // old session's output went with it. Kept, once, over the line that says where it ended; after the note goes too.
  const keptOnce = async () => {
    const text = await screen(page, id)
    return (text.match(/^kept-\d+$/gm) ?? []).join(',') === Array.from({ length: 60 }, (_, i) => `kept-${i + 1}`).join(',') && /^\[CAL\] The VM restarted: the session above ended with it\.$/m.test(text)
  }
  await page.waitForTimeout(1500)
  await expect.poll(keptOnce).toBe(true)
  await captureScreen(page, 'terminal-connection-note')
  await note.getByTestId('connection-note-dismiss').click()
  await expect(note).toHaveCount(0)
  await page.waitForTimeout(1500)
  await expect.poll(keptOnce).toBe(true)
  // `clear` empties the scrollback, the ended session's kept output too, once the new session has history of its own.
  // (Dismissing the note gave the keyboard back to the terminal.)
  await expect(term(page, id).locator('.xterm-helper-textarea')).toBeFocused()
  await page.keyboard.type('seq -f "new-%g" 1 80\n')
  await expect.poll(() => screen(page, id)).toMatch(/^new-80$/m)
  await page.waitForTimeout(1500)
  await page.keyboard.type('clear\n')
  await expect.poll(async () => /^(kept|new)-\d+$/m.test(await screen(page, id)), { timeout: 15_000 }).toBe(false)
  // Nothing runs any more, so Restart goes ahead without asking.
  await page.getByTestId('view-workspace').click()
  await page.getByTestId('vm-restart').click()
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText(/Stopping|Starting|Stopped/, { timeout: 30_000 })
  await expect(dialog).toHaveCount(0)
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText('Running', { timeout: 60_000 })
})

test('a tab whose VM was stopped says so and offers Start VM, without promising to keep what is typed', async ({ page }) => {
  test.setTimeout(120_000)
  const id = await openShell(page)
  await page.getByTestId('view-workspace').click()
  await page.getByTestId('vm-stop').click()
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText('Stopped', { timeout: 60_000 })
  await page.getByTestId('view-terminal').click()
  const card = term(page, id).getByTestId('terminal-status')
  await expect(card).toContainText(`${VM} is stopped: start it and this tab reattaches`, { timeout: 30_000 })
  await expect(card.getByTestId('terminal-typing-kept')).toHaveCount(0)
  await expect(card.getByTestId('terminal-retry')).toHaveCount(0)
  // CAL stopped it: no "stopped unexpectedly".
  await expect(page.getByTestId('toast').filter({ hasText: 'stopped unexpectedly' })).toHaveCount(0)
  await captureScreen(page, 'terminal-vm-stopped')
  await card.getByTestId('terminal-start-vm').click()
  await expect(page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`)).toContainText('Running', { timeout: 60_000 })
  await expect(term(page, id)).toHaveAttribute('data-state', 'connected', { timeout: 60_000 })
  await expect(card).toHaveCount(0)
})
