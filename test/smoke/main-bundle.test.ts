import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { commandNames, sendNames } from '../../src/shared/api'

// The built bundle, loaded under plain Node with the electron fake (see register-electron.mjs).
// `npm test` builds before the unit tests; run `npm run build` first when running this file alone.
const bundle = resolve('out/main/index.js')
const tmp = mkdtempSync(join(tmpdir(), 'cal-smoke-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

interface Report {
  handles: string[]
  listeners: Record<string, number>
  windows: number
  webPreferences: Record<string, unknown> | null
  preloadExists: boolean
  pageUrl: string | null
  windowOpen: { action: string } | null
  navigationBlocked: boolean
  privilegedSchemes: { scheme: string }[]
  pageStatus: number | null
  pageCsp: string | null
  pageMetaCsp: string | null
  escapeStatus: number | null
  cspHeaderListener: boolean
  trays: number
  trayIcon: string | null
  appMenu: string[] | null
}

describe('built main bundle under plain Node', () => {
  it('out/main/index.js exists', () => {
    expect(existsSync(bundle), 'out/main/index.js is missing: run `npm run build` before this test (npm test does)').toBe(true)
  })

  const report = (): Report => {
    if (!existsSync(bundle)) throw new Error('out/main/index.js is missing: run `npm run build` first')
    const out = execFileSync(process.execPath, ['--import', './test/smoke/register-electron.mjs', 'test/smoke/run-main.mjs', bundle], {
      env: { ...process.env, CAL_HOME: join(tmp, 'cal'), CAL_FAKE_USER_DATA: join(tmp, 'userdata'), ELECTRON_RENDERER_URL: '' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    return JSON.parse(out.trim().split('\n').at(-1)!) as Report
  }
  let cached: Report | undefined
  const get = () => (cached ??= report())

  it('registers exactly one handler per contract command and one listener per send', () => {
    const r = get()
    expect([...r.handles].sort()).toEqual([...commandNames].sort())
    for (const s of sendNames) expect(r.listeners[s], s).toBe(1)
    // electron-store's own sync channel is the only other one (it answers with the userData path and version).
    const others = Object.keys(r.listeners).filter((k) => !(sendNames as string[]).includes(k))
    expect(others.every((k) => k === 'electron-store-get-data')).toBe(true)
  })

  it('locks the window down', () => {
    const r = get()
    expect(r.windows).toBe(1)
    expect(r.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, devTools: false })
    expect(r.webPreferences?.preload).toMatch(/out[/\\]preload[/\\]index\.cjs$/)
    expect(r.preloadExists).toBe(true)
    expect(r.windowOpen).toEqual({ action: 'deny' })
    expect(r.navigationBlocked).toBe(true)
  })

  it('serves the renderer from cal://app with a strict CSP header, and nothing outside it', () => {
    const r = get()
    expect(r.pageUrl).toBe('cal://app/index.html')
    expect(r.privilegedSchemes.map((s) => s.scheme)).toEqual(['cal'])
    expect(r.pageStatus).toBe(200)
    expect(r.pageCsp).toContain("script-src 'self'")
    // The desktop page talks to main over IPC: neither its header nor its meta tag lets it open a WebSocket.
    expect(r.pageCsp).toContain("connect-src 'self';")
    expect(r.pageMetaCsp).toContain("connect-src 'self';")
    expect(`${r.pageCsp} ${r.pageMetaCsp}`).not.toMatch(/ws:/)
    expect(r.escapeStatus).toBe(404)
    expect(r.cspHeaderListener).toBe(true)
  })

  it('puts CAL in the menu bar', () => {
    const r = get()
    expect(r.trays).toBe(1)
    expect(r.trayIcon).toMatch(/resources[/\\]tray[/\\](idle|running|busy|error)Template\.png$/)
    expect(existsSync(r.trayIcon!)).toBe(true)
  })

  it("sets CAL's own application menu instead of Electron's default one", () => {
    expect(get().appMenu).toEqual(expect.arrayContaining(['File', 'Edit', 'View', 'Window']))
  })
})
