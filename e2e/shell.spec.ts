/// <reference lib="dom" />
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { commandNames, eventNames, sendNames, splitChannel, type CalApi } from '../src/shared/api'
import { expect, test } from './fixtures'

declare global {
  interface Window {
    cal: CalApi
  }
}

const shots = join(import.meta.dirname, 'artifacts', 'screenshots')

test('the app shell renders through the browser host', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()))
  await expect(page.locator('#root > *').first()).toBeVisible()
  await page.waitForLoadState('networkidle')
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, 'shell.png'), fullPage: true })
  // A CSP violation or a failed script shows up here.
  expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([])
})

test('window.cal has exactly the contract\'s verbs and events', async ({ page }) => {
  const expected: Record<string, string[]> = {}
  for (const channel of [...commandNames, ...sendNames]) {
    const [ns, verb] = splitChannel(channel)
    ;(expected[ns] ??= []).push(verb)
  }
  for (const verbs of Object.values(expected)) verbs.sort()
  const shape = await page.evaluate(() => {
    const cal = window.cal as unknown as Record<string, unknown>
    const out: Record<string, string[] | string> = {}
    for (const [key, value] of Object.entries(cal)) {
      out[key] = typeof value === 'function' ? 'function' : Object.keys(value as object).sort()
    }
    return { out, frozen: Object.isFrozen(cal) }
  })
  expect(shape.out).toEqual({ ...expected, on: 'function' })
  expect(shape.frozen).toBe(true)

  const status = await page.evaluate(() => window.cal.app.status())
  expect(status).toMatchObject({ ok: true, value: { macVmLimit: 2 } })
  const bad = await page.evaluate(() => window.cal.vms.get({ name: '../../etc' }))
  expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { field: 'name' } } })
  // Events: only the contract's, each subscription returns a disposer.
  const events = await page.evaluate((names) => {
    const disposers = names.map((n) => window.cal.on(n as never, () => {}))
    let unknownRefused = false
    try {
      window.cal.on('no:such' as never, () => {})
    } catch {
      unknownRefused = true
    }
    disposers.forEach((d) => d())
    return { allDisposers: disposers.every((d) => typeof d === 'function'), unknownRefused }
  }, eventNames)
  expect(events).toEqual({ allDisposers: true, unknownRefused: true })
})

test('the token leaves the address bar and the history at once, and a reload still connects', async ({ page, host }) => {
  // Booleans only, so that a failure never prints the token.
  const withToken = (url: string) => url.includes(host.token) || /[?&]token=/.test(url)
  await expect.poll(() => withToken(page.url())).toBe(false)
  expect(new URL(page.url()).pathname).toBe('/')
  const history = async () => {
    const cdp = await page.context().newCDPSession(page)
    const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] }
    await cdp.detach()
    return entries.map((e) => e.url)
  }
  expect((await history()).some(withToken)).toBe(false)
  expect(await page.evaluate(() => window.cal.settings.get())).toMatchObject({ ok: true })
  // The tab keeps the token (sessionStorage): a reload, from the URL without it, connects again.
  await page.reload()
  await expect(page.locator('#root > *').first()).toBeVisible()
  expect(withToken(page.url())).toBe(false)
  expect(await page.evaluate(() => window.cal.settings.get())).toMatchObject({ ok: true, value: { warning: null } })
  expect((await history()).some(withToken)).toBe(false)
  expect(host.log().includes(host.token)).toBe(false)
})

test('the page may open a WebSocket to its own host and to nothing else', async ({ page, host }) => {
  const tryOpen = (url: string) =>
    page.evaluate(
      (target) =>
        new Promise<string>((resolve) => {
          const done = (outcome: string) => {
            document.removeEventListener('securitypolicyviolation', onViolation)
            resolve(outcome)
          }
          const onViolation = (e: SecurityPolicyViolationEvent) => e.effectiveDirective === 'connect-src' && done('blocked by CSP')
          document.addEventListener('securitypolicyviolation', onViolation)
          try {
            const ws = new WebSocket(target)
            ws.onopen = () => {
              ws.close()
              done('open')
            }
            // A violation is reported asynchronously: give it the time to arrive before calling this a plain error.
            ws.onerror = () => setTimeout(() => done('error'), 500)
          } catch (err) {
            done(`threw ${(err as Error).name}`)
          }
        }),
      url,
    )
  // A socket to this host is allowed (refused by the host for want of a token, but not by the page's CSP).
  expect(await tryOpen(`ws://127.0.0.1:${host.port}/__cal/ws`)).toBe('error')
  for (const other of [`ws://127.0.0.1:${host.port + 1}/`, `ws://localhost:${host.port}/__cal/ws`, 'ws://127.0.64.2:22/']) {
    expect(await tryOpen(other), other).toMatch(/blocked by CSP|threw SecurityError/)
  }
})

test('losing the browser host fails calls with a clear error while the page keeps trying to reconnect', async ({ page, host }) => {
  expect(await page.evaluate(() => window.cal.app.status())).toMatchObject({ ok: true })
  await host.stop()
  const outcome = () => page.evaluate(() => window.cal.app.status().then((r) => (r.ok ? 'answered' : `${r.error.code}: ${r.error.message}`)))
  await expect.poll(outcome, { timeout: 10_000 }).toBe('INTERNAL: Lost the connection to the CAL browser host.')
  // A call made while the page keeps retrying in the background is answered too, not queued for a host that is gone.
  expect(await outcome()).toBe('INTERNAL: Lost the connection to the CAL browser host.')
})

test('a bad token is refused', async ({ browser, host }) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(host.url.replace(/token=[^&]+/, 'token=not-the-token'))
  const result = await page.evaluate(() => window.cal.app.status())
  expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  const sockets = await page.evaluate(
    (token) =>
      Promise.all(
        [token, 'nope', ''].map(
          (t) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(`ws://${location.host}/__cal/ws?token=${encodeURIComponent(t)}`)
              ws.onopen = () => {
                ws.close()
                resolve('open')
              }
              ws.onerror = () => resolve('refused')
            }),
        ),
      ),
    host.token,
  )
  expect(sockets).toEqual(['open', 'refused', 'refused'])
  expect(host.log()).toContain('missing or wrong token')
  await context.close()
})
