import type { Page } from '@playwright/test'
import type { CalApi } from '../src/shared/api'
import { expect, test } from './fixtures'
import { captureScreen } from './ui/screens'
import { openShellTab, terminalPanel, visibleSessionId } from './ui/terminal'

// The terminal's chrome as a user meets it: resizing the window, the tab strip, the Sessions menu and where the
// keyboard goes after each of them.

interface TermLike {
  cols: number
  buffer: { active: { length: number; viewportY: number; baseY: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } }
  scrollLines(amount: number): void
  scrollToBottom(): void
}
interface PageWindow {
  cal: CalApi
  __calTerms: { get(id: string): TermLike | undefined }
}

const VM = 'e2e-term-ui'
test.describe.configure({ mode: 'serial' })

let stopVm: () => Promise<unknown> = async () => undefined

test.beforeAll(async ({ sim }) => {
  const vm = await sim.bootVm(VM)
  // Apple allows two macOS VMs at a time, and the simulated host says so too: leave the slot to the specs after this.
  stopVm = async () => {
    await vm.stop().catch(() => undefined)
    await sim.harness.run(['delete', VM])
  }
})

test.afterAll(async () => {
  await stopVm()
})

const term = terminalPanel
const openShell = (page: Page) => openShellTab(page, VM)

/** Every line of the tab's xterm, scrollback included. */
function lines(page: Page, id: string): Promise<string[]> {
  return page.evaluate((sid) => {
    const buf = (globalThis as unknown as PageWindow).__calTerms.get(sid)!.buffer.active
    const out: string[] = []
    for (let i = 0; i < buf.length; i++) out.push(buf.getLine(i)?.translateToString(true) ?? '')
    return out
  }, id)
}

test('resizing the window leaves no copies of the screen\'s lines in the scrollback', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  const id = await openShell(page)
  // A line longer than the narrower window, so that it wraps differently at every width.
  await page.keyboard.type('echo "resize-$((6*7))"; printf "W%.0s" $(seq 1 150); echo; echo "after-wide"\n')
  await expect.poll(async () => (await lines(page, id)).includes('after-wide')).toBe(true)
  // A window dragged narrower, a step per frame, as a user drags its edge.
  for (let width = 1280; width >= 980; width -= 10) {
    await page.setViewportSize({ width, height: 800 })
    await page.waitForTimeout(16)
  }
  // Once the size settles: the command and its output once each, as the shell printed them.
  await expect
    .poll(async () => {
      const all = await lines(page, id)
      return [all.filter((l) => l.includes('echo "resize-$((6*7))"')).length, all.filter((l) => l === 'resize-42').length, all.filter((l) => l === 'after-wide').length]
    }, { timeout: 10_000 })
    .toEqual([1, 1, 1])
  // And the shell is still there, at the new size.
  const cols = await page.evaluate((sid) => (globalThis as unknown as PageWindow).__calTerms.get(sid)!.cols, id)
  expect(cols).toBeLessThan(150)
  await page.keyboard.type('echo "cols=$(tput cols)"\n')
  await expect.poll(async () => (await lines(page, id)).includes(`cols=${cols}`)).toBe(true)
})

test('a burst of output faster than tmux draws still leaves every line in the scrollback', async ({ page }) => {
  const id = await openShell(page)
  // The tab's first redraw (its scrollback from tmux) is over before the burst starts.
  await page.waitForTimeout(1_000)
  // tmux skips ahead when output outruns it: without the redraw after the burst, most of these never reached the
  // scrollback (about 500 of 3,000 did).
  await page.keyboard.type('seq -f "burst-%g" 1 3000; echo "burst-$((6*7))-done"\n')
  await expect
    .poll(
      async () => {
        const all = await lines(page, id)
        const seen = new Set(all.filter((l) => /^burst-\d+$/.test(l)))
        return [seen.size, all.includes('burst-42-done')]
      },
      { timeout: 20_000 },
    )
    .toEqual([3000, true])
})

test('a burst that ends while someone reads back is checked once they are back at the bottom', async ({ page }) => {
  const id = await openShell(page)
  await page.waitForTimeout(1_000)
  const term = (fn: 'up' | 'bottom' | 'where') =>
    page.evaluate(
      ([sid, what]) => {
        const t = (globalThis as unknown as PageWindow).__calTerms.get(sid)!
        if (what === 'up') t.scrollLines(-50)
        if (what === 'bottom') t.scrollToBottom()
        return t.buffer.active.baseY - t.buffer.active.viewportY
      },
      [id, fn] as const,
    )
  // tmux redraws its status line every 15 s by default, which also sets off the check: not here, so that only the
  // return to the bottom can.
  await page.keyboard.type('tmux set status-interval 0\n')
  await page.keyboard.type('seq -f "pre-%g" 1 200\n')
  // All of them, once the check after that burst has redrawn what tmux skipped.
  await expect.poll(async () => new Set((await lines(page, id)).filter((l) => /^pre-\d+$/.test(l))).size, { timeout: 20_000 }).toBe(200)
  await page.waitForTimeout(1_000)
  // Typing scrolls xterm to the bottom: the burst comes two seconds after the command, once the page reads back.
  await page.keyboard.type('sleep 2; seq -f "late-%g" 1 3000; echo "late-$((6*7))-done"\n')
  await page.waitForTimeout(500)
  expect(await term('up')).toBe(50)
  await expect.poll(async () => (await lines(page, id)).includes('late-42-done'), { timeout: 20_000 }).toBe(true)
  await page.waitForTimeout(1_000)
  // Still reading back: nothing was redrawn under the reader.
  expect(await term('where')).toBeGreaterThan(0)
  await term('bottom')
  await expect
    .poll(async () => new Set((await lines(page, id)).filter((l) => /^late-\d+$/.test(l))).size, { timeout: 20_000 })
    .toBe(3000)
})

test('a burst longer than the whole scrollback, after one that filled it, still leaves its lines in order', async ({ page }) => {
  const id = await openShell(page)
  await page.waitForTimeout(1_000)
  // The first burst fills xterm's scrollback and tmux's history (10,000 lines each), so neither grows in the second:
  // only lines compared deeper in both show what tmux skipped there.
  await page.keyboard.type('seq -f "fill-%g" 1 12000; echo "fill-$((6*7))-done"\n')
  await expect.poll(async () => (await lines(page, id)).includes('fill-42-done'), { timeout: 20_000 }).toBe(true)
  await page.waitForTimeout(1_500)
  // Then the end of the burst comes at a readable pace: tmux draws those lines, so the lines just above the screen
  // match and only the lines deeper up show the gap tmux left while the burst outran it.
  await page.keyboard.type('seq -f "big-%g" 1 25000; for i in $(seq 1 150); do echo "slow-$i"; sleep 0.01; done; echo "big-$((6*7))-done"\n')
  await expect
    .poll(
      async () => {
        const all = await lines(page, id)
        const seen = all.filter((l) => /^big-\d+$/.test(l)).map((l) => Number(l.slice(4)))
        const [first = 0, last = 0] = [Math.min(...seen), Math.max(...seen)]
        // In order and without a gap from the oldest line kept to the last one, and about a whole history of them
        // (tmux trims its history by a tenth at a time: it keeps 9,000 to 10,000 lines).
        return [last, last - first + 1 === seen.length, seen.length > 8_500, all.includes('slow-1') && all.includes('big-42-done')]
      },
      { timeout: 30_000 },
    )
    .toEqual([25000, true, true, true])
})

test('the redraw after a burst replaces the screen in one frame: it never shows it blank', async ({ page }) => {
  const id = await openShell(page)
  await page.waitForTimeout(1_000)
  await page.keyboard.type('seq -f "blink-%g" 1 3000; echo "blink-$((6*7))-done"\n')
  // Every frame the page paints from the moment the burst's last line is on screen: the redraw that follows (tmux's
  // history, then its screen) must not show the screen erased in between (xterm 6.0's DOM renderer drew its selection
  // layer, and with it every row, in the middle of the synchronized update on each scroll).
  await page.evaluate((sid) => {
    const w = globalThis as unknown as { __frames: string[][]; __recording: boolean }
    const rows = document.querySelector(`[data-testid="terminal-${sid}"] .xterm-rows`)!
    w.__frames = []
    w.__recording = true
    let seen = false
    const tick = () => {
      if (!w.__recording) return
      const text = [...rows.children].map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd())
      seen ||= text.includes('blink-42-done')
      if (seen) w.__frames.push(text)
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  }, id)
  await expect.poll(async () => new Set((await lines(page, id)).filter((l) => /^blink-\d+$/.test(l))).size, { timeout: 20_000 }).toBe(3000)
  await page.waitForTimeout(500)
  const frames = await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: string[][]; __recording: boolean }
    w.__recording = false
    return w.__frames
  })
  expect(frames.length).toBeGreaterThan(0)
  expect(frames.filter((f) => !f.includes('blink-42-done')).map((f) => f.filter((l) => l).length)).toEqual([])
})

test('paging in less and ordinary output a few screens long redraw nothing; quitting less redraws once', async ({ page }) => {
  // Count the page's redraw requests as they leave for the browser host (window.cal itself is frozen).
  await page.addInitScript(() => {
    const w = window as unknown as { __redraws: string[] }
    w.__redraws = []
    const post = Worker.prototype.postMessage
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      const text = (args[0] as { text?: string })?.text
      if (text?.includes('"terminal:redraw"')) w.__redraws.push(text)
      return post.apply(this, args)
    } as Worker['postMessage']
  })
  await page.reload()
  const id = await openShell(page)
  await page.waitForTimeout(1_000)
  // This tab's (a reload also redraws the tabs earlier tests left open).
  const redraws = () => page.evaluate((sid) => (window as unknown as { __redraws: string[] }).__redraws.filter((t) => t.includes(sid)).length, id)
  const before = await redraws()
  // A few screens at a pace tmux keeps up with, then less paging through a long file and quitting.
  await page.keyboard.type('for i in $(seq 1 120); do echo "calm-$i"; sleep 0.01; done\n')
  await expect.poll(async () => (await lines(page, id)).includes('calm-120')).toBe(true)
  await page.waitForTimeout(1_000)
  expect(await redraws()).toBe(before)
  await page.keyboard.type('seq -f "page-%g" 1 2000 > /tmp/pages.txt; less /tmp/pages.txt\n')
  for (let i = 0; i < 4; i++) {
    await page.waitForTimeout(400)
    await page.keyboard.press('Space')
  }
  await page.waitForTimeout(1_000)
  // Each page went through tmux as lines scrolling up: no redraw for them (each one cost 677 KB and 240 ms).
  expect(await redraws()).toBe(before)
  await page.keyboard.press('q')
  await page.keyboard.type('echo "paged-$((6*7))"\n')
  await expect.poll(async () => (await lines(page, id)).includes('paged-42')).toBe(true)
  await page.waitForTimeout(1_000)
  // Back at the shell, the pages that scrolled into the scrollback are not tmux's history: at most one redraw puts
  // it back as a local terminal's alternate screen would have left it.
  expect(await redraws()).toBeLessThanOrEqual(before + 1)
  expect((await lines(page, id)).some((l) => /^page-\d+$/.test(l))).toBe(false)
})

test('the tab in front stays in sight, its close button too, when there are more tabs than the strip shows', async ({ page }) => {
  await page.setViewportSize({ width: 980, height: 700 })
  let id = ''
  for (let i = 0; i < 6; i++) id = await openShell(page)
  await page.getByTestId('view-terminal').click()
  const inSight = async () => {
    const strip = (await page.locator('.tabs').boundingBox())!
    const tab = (await page.locator(`#tab-${id}`).locator('..').boundingBox())!
    return tab.x >= strip.x - 1 && tab.x + tab.width <= strip.x + strip.width + 1
  }
  await expect.poll(inSight).toBe(true)
  // A narrower window moves it out of the strip's view: the strip follows.
  await page.setViewportSize({ width: 760, height: 700 })
  await expect.poll(inSight).toBe(true)
  // The strip has no scroll bar: a mouse wheel over it scrolls it sideways.
  const scrolled = () => page.locator('.tabs').evaluate((el) => el.scrollLeft)
  const before = await scrolled()
  await page.locator('.tabs').hover()
  await page.mouse.wheel(0, -400)
  await expect.poll(scrolled).toBeLessThan(before)
})

test('a click on the tab already in front gives the keyboard back to its terminal', async ({ page }) => {
  const id = await openShell(page)
  // Focus went elsewhere (here the Sessions button, as after closing its popover).
  await page.getByTestId('sessions-button').focus()
  await page.locator(`#tab-${id}`).click()
  await expect(term(page, id).locator('.xterm-helper-textarea')).toBeFocused()
  await page.keyboard.type('echo "clicked-$((4+4))"\n')
  await expect.poll(async () => (await lines(page, id)).includes('clicked-8')).toBe(true)
})

test('End… in Sessions: Cancel and End session give the keyboard back, not to nothing', async ({ page }) => {
  const id = await openShell(page)
  const name = await page.evaluate(async (sid) => {
    const r = await (globalThis as unknown as PageWindow).cal.terminal.list()
    return r.ok ? (r.value.find((s) => s.id === sid)?.tmuxSession ?? '') : ''
  }, id)
  await page.getByTestId('sessions-button').click()
  const row = page.getByTestId('sessions-panel').locator(`[data-testid="session-row"][data-name="${name}"]`)
  await row.getByTestId('session-end').click()
  const dialog = page.getByTestId('end-session-dialog')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toHaveCount(0)
  await expect(page.getByTestId('sessions-button')).toBeFocused()
  // By keyboard, as a keyboard user ends it: the button opens the list, End… the sheet.
  await page.keyboard.press('Enter')
  await row.getByTestId('session-end').focus()
  await page.keyboard.press('Enter')
  await dialog.getByTestId('end-session-confirm').click()
  await expect(term(page, id)).toHaveCount(0)
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(false)
})

test('Tab out of the Sessions popover closes it; an Escape typed in the terminal then stays the terminal\'s', async ({ page }) => {
  const id = await openShell(page)
  await page.getByTestId('sessions-button').click()
  const panel = page.getByTestId('sessions-panel')
  await expect(panel.locator('button').first()).toBeFocused()
  const buttons = await panel.locator('button').count()
  for (let i = 0; i < buttons; i++) await page.keyboard.press('Tab')
  await expect(panel).toHaveCount(0)
  await term(page, id).locator('.xterm').click()
  await page.keyboard.press('Escape')
  await expect(term(page, id).locator('.xterm-helper-textarea')).toBeFocused()
})

test('a tab renamed with a double-click or the palette keeps its name through a reload; Escape cancels, an empty name restores the default', async ({ page }) => {
  const id = await openShell(page)
  const tab = page.locator(`#tab-${id}`)
  const title = tab.getByTestId('tab-title')
  const field = page.getByTestId('tab-rename')
  const original = (await title.textContent()) ?? ''
  expect(original).toMatch(/^shell-\d+$/)

  await tab.dblclick()
  await expect(field).toBeFocused()
  await expect(field).toHaveValue(original)
  // The whole title is selected: typing replaces it. The tab keeps its role and name meanwhile.
  await page.keyboard.type('build server')
  await expect(page.getByRole('tab', { name: new RegExp(original) })).toHaveAttribute('id', `tab-${id}`)
  await captureScreen(page, 'terminal-tab-rename')
  await page.keyboard.press('Enter')
  await expect(field).toHaveCount(0)
  await expect(title).toHaveText('build server')
  await expect(page.getByRole('tab', { name: /^build server/ })).toHaveAttribute('id', `tab-${id}`)
  // Enter gave the keyboard back to the terminal (on the next turn, once the field is gone: wait for it, as a CI run
  // under load typed the first keys before it and they went nowhere).
  await expect(term(page, id).locator('.xterm-helper-textarea')).toBeFocused()
  await page.keyboard.type('echo "renamed-$((3*3))"\n')
  await expect.poll(async () => (await lines(page, id)).includes('renamed-9')).toBe(true)

  // Escape cancels.
  await tab.dblclick()
  await page.keyboard.type('not this')
  await page.keyboard.press('Escape')
  await expect(field).toHaveCount(0)
  await expect(title).toHaveText('build server')

  // From the palette; a click elsewhere confirms.
  await page.getByTestId('open-palette').click()
  await page.keyboard.type('Rename tab')
  await page.keyboard.press('Enter')
  await expect(field).toBeFocused()
  await page.keyboard.type('tests')
  await term(page, id).locator('.xterm').click()
  await expect(field).toHaveCount(0)
  await expect(title).toHaveText('tests')

  // The tab outlives the page (the engine keeps it), and so does its name.
  await page.reload()
  await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
  await page.getByTestId('view-terminal').click()
  await expect(page.locator(`#tab-${id}`).getByTestId('tab-title')).toHaveText('tests')
  await captureScreen(page, 'terminal-tab-renamed')
  // The palette has the shown tab's actions in the new window too, before a tab was picked there (it had none).
  await page.getByTestId('open-palette').click()
  await page.keyboard.type('Clear scrollback')
  await expect(page.getByRole('listbox', { name: 'Actions' }).getByRole('option', { name: /Clear scrollback/ })).toBeVisible()
  await page.keyboard.press('Escape')
  // The Sessions list names the session by the tab's name too, with tmux's own after it.
  await page.getByTestId('sessions-button').click()
  await expect(page.getByTestId('sessions-panel').locator(`[data-testid="session-row"][data-name="${original}"]`)).toContainText(`tests (${original})`)
  await page.keyboard.press('Escape')

  // Closing the tab only detaches it: the name stays with the tmux session, in the Sessions list and on the tab that
  // reattaches it (both said "shell-N" again before).
  await page.locator('.tab', { has: page.locator(`#tab-${id}`) }).locator('.tab-close').click()
  await expect(page.locator(`#tab-${id}`)).toHaveCount(0)
  await page.getByTestId('sessions-button').click()
  const row = page.getByTestId('sessions-panel').locator(`[data-testid="session-row"][data-name="${original}"]`)
  await expect(row).toContainText(`tests (${original})`)
  await row.getByTestId('session-show').click()
  const again = await visibleSessionId(page)
  expect(again).not.toBe(id)
  await expect(page.locator(`#tab-${again}`).getByTestId('tab-title')).toHaveText('tests')

  // An empty name gives the default title back, for good.
  await page.locator(`#tab-${again}`).dblclick()
  await page.keyboard.press('Backspace')
  await page.keyboard.press('Enter')
  await expect(page.locator(`#tab-${again}`).getByTestId('tab-title')).toHaveText(original)
  await page.reload()
  await page.locator(`[data-testid="vm-row"][data-vm="${VM}"]`).click()
  await page.getByTestId('view-terminal').click()
  await expect(page.locator(`#tab-${again}`).getByTestId('tab-title')).toHaveText(original)
})

test('closing a Host tab with a program running asks first (it ends the shell); at the prompt it just closes', async ({ page }) => {
  await openShell(page)
  await page.getByTestId('host-tab').click()
  await expect(page.locator('[data-testid="terminal-tab"][data-kind="host"][aria-selected="true"]')).toHaveAttribute('data-state', 'connected')
  const id = await visibleSessionId(page)
  await term(page, id).locator('.xterm').click()
  await page.keyboard.type('sleep 300\n')
  const program = () =>
    page.evaluate(async (sid) => {
      const r = await (globalThis as unknown as PageWindow).cal.terminal.program({ id: sid })
      return r.ok ? r.value.program : `error: ${r.error.message}`
    }, id)
  await expect.poll(program).toBe('sleep')
  const close = page.locator(`#tab-${id}`).locator('..').locator('.tab-close')
  const dialog = page.getByTestId('power-dialog')
  await close.click()
  await expect(dialog).toContainText('Close this Host tab? sleep is still running in it.')
  await captureScreen(page, 'host-tab-close-asks')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(term(page, id)).toHaveCount(1)
  // Still the same shell, sleep still in front of it: Ctrl-C gets the prompt back, and then nothing is asked.
  await term(page, id).locator('.xterm').click()
  await page.keyboard.press('Control+c')
  await page.keyboard.type('echo "back-$((5*5))"\n')
  await expect.poll(async () => (await lines(page, id)).includes('back-25')).toBe(true)
  await close.click()
  await expect(term(page, id)).toHaveCount(0)
  await expect(dialog).toHaveCount(0)
})
