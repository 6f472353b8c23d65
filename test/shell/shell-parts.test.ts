import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { appFileForUrl, pageOrigin, resolveStaticFile } from '../../src/main/app-protocol'
import { CONTENT_SECURITY_POLICY, webSocketPagePolicy, withCsp } from '../../src/main/csp'
import { checkExternalUrl, checkOpenableUrl } from '../../src/main/external-url'
import { EventOutbox } from '../../src/main/outbox'
import { restoreBounds } from '../../src/main/window-state'

describe('event outbox', () => {
  it('queues events until the window is ready, keeping only the newest VM list, then delivers directly', () => {
    const sent: [string, unknown][] = []
    const box = new EventOutbox({ send: (c, p) => sent.push([c, p]), isDestroyed: () => false })
    box.push('vms:changed', [1])
    const bytes = new Uint8Array([0x78])
    box.push('terminal:data', { id: 'a', data: bytes })
    box.push('vms:changed', [2])
    expect(sent).toEqual([])
    box.markReady()
    expect(sent).toEqual([
      ['terminal:data', { id: 'a', data: bytes }],
      ['vms:changed', [2]],
    ])
    box.push('notice', { id: 'n' })
    expect(sent.at(-1)).toEqual(['notice', { id: 'n' }])
    box.markNotReady()
    box.push('notice', { id: 'm' })
    expect(box.queued).toBe(1)
  })

  it('drops nothing into a destroyed window', () => {
    const send = vi.fn()
    const box = new EventOutbox({ send, isDestroyed: () => true })
    box.push('notice', {})
    box.markReady()
    expect(send).not.toHaveBeenCalled()
  })
})

describe('app protocol', () => {
  it('serves files under the renderer folder only', () => {
    expect(appFileForUrl('/r', 'cal://app/index.html')).toBe('/r/index.html')
    expect(appFileForUrl('/r', 'cal://app/')).toBe('/r/index.html')
    expect(appFileForUrl('/r', 'cal://app/assets/a.js')).toBe('/r/assets/a.js')
    // The URL parser folds dot segments, so this stays inside the folder.
    expect(appFileForUrl('/r', 'cal://app/%2e%2e/%2e%2e/etc/passwd')).toBe('/r/etc/passwd')
    expect(appFileForUrl('/r', 'cal://other/index.html')).toBeNull()
    expect(resolveStaticFile('/r', '/..%2f..%2fetc/passwd')).toBeNull()
    expect(resolveStaticFile('/r', '/a%5c..%5c..%5cb')).toBeNull()
    expect(resolveStaticFile('/r', '/%E0%A4%A')).toBeNull()
    expect(pageOrigin('cal://app/index.html')).toBe('cal://app')
    expect(pageOrigin('http://localhost:5173/x')).toBe('http://localhost:5173')
  })
})

describe('external URLs', () => {
  it('opens web pages and Screen Sharing only', () => {
    expect(checkExternalUrl('https://tart.run/').protocol).toBe('https:')
    expect(checkExternalUrl('http://192.168.64.5:3000/').protocol).toBe('http:')
    expect(checkExternalUrl('vnc://127.0.64.2').protocol).toBe('vnc:')
    for (const url of ['file:///etc/passwd', 'smb://x/y', 'javascript:alert(1)', 'x-apple.systempreferences:com.apple.preference']) {
      expect(() => checkExternalUrl(url)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))
    }
  })

  it('opens Screen Sharing only with the address of one of CAL\'s VMs, as the engine reports it', async () => {
    const addresses = vi.fn(async () => ['127.0.64.2', null, 'fe80::1'])
    expect((await checkOpenableUrl('vnc://127.0.64.2', addresses)).hostname).toBe('127.0.64.2')
    expect((await checkOpenableUrl('vnc://127.0.64.2:5900', addresses)).port).toBe('5900')
    expect((await checkOpenableUrl('vnc://[fe80::1]', addresses)).protocol).toBe('vnc:')
    for (const url of ['vnc://evil.example', 'vnc://10.0.0.1', 'vnc://127.0.64.20', 'vnc://127.000.64.2', 'vnc://admin:pw@127.0.64.2', 'vnc://127.0.64.2@evil.example', 'vnc:127.0.64.2']) {
      await expect(checkOpenableUrl(url, addresses), url).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/only with its own VMs/) })
    }
    // Web pages need no VM; the engine is not even asked.
    addresses.mockClear()
    expect((await checkOpenableUrl('https://tart.run/', addresses)).protocol).toBe('https:')
    expect(addresses).not.toHaveBeenCalled()
    await expect(checkOpenableUrl('file:///etc/passwd', addresses)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // When the engine cannot list its VMs (Tart missing), nothing is opened.
    await expect(checkOpenableUrl('vnc://127.0.64.2', async () => Promise.reject(new Error('tart failed')))).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})

describe('CSP', () => {
  it('replaces any CSP header with CAL\'s strict one', () => {
    const h = withCsp({ 'content-security-policy': ["default-src *"], 'X-A': 'b' })
    expect(h).toEqual({ 'X-A': ['b'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
  })

  const connectSrc = (policy: string) => /(?:^|;\s*)connect-src ([^;]*)/.exec(policy)?.[1]
  it('lets the desktop app\'s page open no WebSocket at all, in the header and in the page\'s own meta tag', () => {
    expect(connectSrc(CONTENT_SECURITY_POLICY)).toBe("'self'")
    const html = readFileSync(join(import.meta.dirname, '../../src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1]
    expect(meta).toBeDefined()
    expect(connectSrc(meta!)).toBe("'self'")
  })

  it('lets a page served over http open a WebSocket to its own server only', () => {
    expect(connectSrc(webSocketPagePolicy('127.0.0.1:4321'))).toBe("'self' ws://127.0.0.1:4321")
    expect(connectSrc(webSocketPagePolicy('localhost:5173'))).toBe("'self' ws://localhost:5173")
    // Anything but a loopback name and port (a wildcard, another host, a header trying to add a source) gets none.
    for (const host of ['127.0.0.1:*', 'evil.example:80', '127.0.0.1:80 ws://evil.example', '127.0.0.1:80; script-src *', '', undefined]) {
      expect(webSocketPagePolicy(host), String(host)).toBe(CONTENT_SECURITY_POLICY)
    }
  })
})

describe('window bounds', () => {
  const screen = [{ x: 0, y: 0, width: 1440, height: 900 }]
  it('restores bounds that are on a display, refuses off-screen or broken ones', () => {
    expect(restoreBounds({ x: 100, y: 80, width: 1000, height: 700 }, screen)).toEqual({ x: 100, y: 80, width: 1000, height: 700 })
    expect(restoreBounds({ x: 3000, y: 80, width: 1000, height: 700 }, screen)).toBeNull()
    expect(restoreBounds({ x: 0, y: 0, width: 'big' }, screen)).toBeNull()
    expect(restoreBounds({ x: 10, y: 10, width: 100, height: 50 }, screen)).toEqual({ x: 10, y: 10, width: 720, height: 480 })
  })
})
