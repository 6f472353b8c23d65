import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ILinkHandler } from '@xterm/xterm'
import { session, vmInfo } from '../test/fixtures'
import { vmDownNoticeId } from '../../../shared/notify'
import { useUi } from '../store/ui'
import { useSessions } from '../store/sessions'
import { bindEvents } from '../store/events'
import { disposeTerm, ENDED_MEANWHILE, getTerm, INPUT_CHUNK, isTermReleased, redrawAfterBreak, redrawOnFirstFit } from './registry'

/**
 * The registry under Node: xterm and its addons are stand-ins (no DOM here), and window.cal is a fake whose events
 * the test fires, as main would. Set up before the modules load, since the registry subscribes when it loads.
 */
const fake = vi.hoisted(() => {
  const handlers: Record<string, Set<(payload: unknown) => void>> = {}
  const opened: string[] = []
  const inputs: { id: string; data: string }[] = []
  const created: { options: { linkHandler?: unknown } }[] = []
  const redraws: string[] = []
  const element = () => {
    const attrs: Record<string, string> = {}
    return { style: {}, remove() {}, get title() { return attrs.title ?? '' }, set title(v: string) { attrs.title = v }, removeAttribute: (n: string) => delete attrs[n], hasAttribute: (n: string) => n in attrs }
  }
  const cal = {
    on: (event: string, listener: (payload: unknown) => void) => {
      ;(handlers[event] ??= new Set()).add(listener)
      return () => handlers[event]!.delete(listener)
    },
    terminal: { input: (p: { id: string; data: string }) => void inputs.push(p), resize() {}, ack() {}, redraw: (p: { id: string }) => void redraws.push(p.id), bell() {} },
    shell: {
      openExternal: async ({ url }: { url: string }) => {
        opened.push(url)
        return { ok: true, value: undefined }
      },
    },
  }
  globalThis.window = { cal, matchMedia: () => ({ matches: false, addEventListener() {}, removeEventListener() {} }) } as never
  globalThis.document = { hasFocus: () => true, createElement: element, querySelector: () => null } as never
  const emit = (event: string, payload: unknown) => handlers[event]?.forEach((l) => l(payload))
  return { emit, opened, created, inputs, redraws }
})

vi.mock('@xterm/xterm', () => ({
  Terminal: class {
    options: { linkHandler?: unknown }
    cols = 80
    rows = 24
    unicode = { activeVersion: '6' }
    buffer = { active: { type: 'normal', viewportY: 0, baseY: 0 } }
    constructor(options: { linkHandler?: unknown }) {
      this.options = options
      fake.created.push(this)
    }
    loadAddon() {}
    onData(listener: (data: string) => void) {
      this.typed = listener
    }
    typed: (data: string) => void = () => {}
    onBinary() {}
    onResize() {}
    onBell() {}
    onScroll() {}
    onSelectionChange() {}
    write(_data: unknown, done?: () => void) {
      done?.()
    }
    dispose() {}
  },
}))
vi.mock('@xterm/addon-fit', () => ({ FitAddon: class {} }))
vi.mock('@xterm/addon-search', () => ({ SearchAddon: class {} }))
vi.mock('@xterm/addon-unicode11', () => ({ Unicode11Addon: class {} }))
vi.mock('@xterm/addon-web-links', () => ({ WebLinksAddon: class {} }))

const bytes = (text: string) => new TextEncoder().encode(text)

beforeEach(() => {
  useSessions.setState({ sessions: [], messages: {}, activeByContext: {}, attention: {} })
})

describe('toasts that events answer', () => {
  it('drops a VM\'s "stopped unexpectedly" toast once the VM runs again, not before', () => {
    const off = bindEvents()
    const id = vmDownNoticeId('dev', '2026-11-23T10:00:00Z')
    fake.emit('notice', { id, kind: 'vmStoppedUnexpectedly', level: 'error', title: 'dev stopped unexpectedly', body: 'x', error: { code: 'VM_DIED', message: 'x', hint: 'y' }, target: null })
    fake.emit('notice', { id: 'vm:other:down:', kind: 'vmStoppedUnexpectedly', level: 'error', title: 'other stopped unexpectedly', body: 'x', error: { code: 'VM_DIED', message: 'x', hint: 'y' }, target: null })
    const ids = () => useUi.getState().toasts.map((t) => t.id)
    expect(ids()).toEqual(expect.arrayContaining([id, 'vm:other:down:']))
    fake.emit('vms:changed', [vmInfo('dev', { state: 'stopped' }), vmInfo('other', { state: 'stopped' })])
    expect(ids()).toContain(id)
    fake.emit('vms:changed', [vmInfo('dev', { state: 'running' }), vmInfo('other', { state: 'stopped' })])
    expect(ids()).not.toContain(id)
    expect(ids()).toContain('vm:other:down:')
    off()
  })
})

describe('terminal registry', () => {
  it('drops what main still sends for a tab closed here: no hidden xterm, no store entry', () => {
    const off = bindEvents()
    useSessions.getState().add(session('s1', 'dev'), 'dev')
    fake.emit('terminal:data', { id: 's1', data: bytes('hello') })
    fake.emit('terminal:state', { id: 's1', state: 'connected', message: null })
    expect(window.__calTerms!.ids()).toEqual(['s1'])
    expect(useSessions.getState().messages).toEqual({ s1: null })
    const built = fake.created.length

    // closeTerminal: out of the store, xterm released, then main detaches and flushes the session's last events.
    useSessions.getState().remove('s1')
    disposeTerm('s1')
    expect(useSessions.getState().messages).toEqual({})
    fake.emit('terminal:data', { id: 's1', data: bytes('tail') })
    fake.emit('terminal:state', { id: 's1', state: 'closed', message: 'Detached: the tmux session keeps running in the VM.' })
    expect(isTermReleased('s1')).toBe(true)
    expect(window.__calTerms!.ids()).toEqual([])
    expect(fake.created.length).toBe(built)
    expect(useSessions.getState().messages).toEqual({})
    expect(useSessions.getState().sessions).toEqual([])

    // Other sessions still get theirs.
    fake.emit('terminal:data', { id: 's2', data: bytes('other') })
    expect(window.__calTerms!.ids()).toEqual(['s2'])
    disposeTerm('s2')
    off()
  })

  it('after a break, takes the engine\'s state for each xterm, marks the gone ones closed, and redraws the drawn ones', () => {
    const off = bindEvents()
    fake.emit('terminal:state', { id: 'b1', state: 'reconnecting', message: 'The connection to the VM was lost.' })
    fake.emit('terminal:state', { id: 'b2', state: 'connected', message: null })
    fake.emit('terminal:state', { id: 'b3', state: 'connected', message: null })
    redrawOnFirstFit(getTerm('b1')!)
    redrawOnFirstFit(getTerm('b3')!)
    fake.redraws.length = 0
    redrawAfterBreak([session('b1', 'dev'), session('b2', 'dev', { state: 'reconnecting' })])
    expect([getTerm('b1')!.state, getTerm('b1')!.message]).toEqual(['connected', null])
    expect(getTerm('b2')!.state).toBe('reconnecting')
    expect([getTerm('b3')!.state, getTerm('b3')!.message]).toEqual(['closed', ENDED_MEANWHILE])
    // b2 was never filled in: its first fit asks for the redraw.
    expect(fake.redraws).toEqual(['b1'])
    for (const id of ['b1', 'b2', 'b3']) disposeTerm(id)
    off()
  })

  it('opens OSC 8 hyperlinks through window.cal, web links only, and shows their target on hover', async () => {
    useSessions.getState().add(session('s3', null), '(host)')
    fake.emit('terminal:data', { id: 's3', data: bytes('x') })
    const handler = fake.created.at(-1)!.options.linkHandler as ILinkHandler
    expect(handler.allowNonHttpProtocols).toBe(false)
    const event = { preventDefault: vi.fn(), metaKey: false, ctrlKey: false } as unknown as MouseEvent
    const range = { start: { x: 1, y: 1 }, end: { x: 4, y: 1 } }
    handler.hover!(event, 'https://example.com/x', range)
    expect(getTerm('s3')!.host.title).toBe('https://example.com/x\nCtrl+click to open')
    handler.leave!(event, 'https://example.com/x', range)
    expect(getTerm('s3')!.host.hasAttribute('title')).toBe(false)
    // A plain click is left alone; Ctrl+click (⌘ on macOS) opens.
    handler.activate(event, 'https://example.com/x', range)
    expect(event.preventDefault).not.toHaveBeenCalled()
    const ctrlClick = { preventDefault: vi.fn(), metaKey: false, ctrlKey: true } as unknown as MouseEvent
    handler.activate(ctrlClick, 'https://example.com/x', range)
    expect(ctrlClick.preventDefault).toHaveBeenCalled()
    await vi.waitFor(() => expect(fake.opened).toEqual(['https://example.com/x']))
    disposeTerm('s3')
  })

  it('sends a big paste in pieces that join up to it, never splitting a character', () => {
    fake.emit('terminal:data', { id: 's4', data: bytes('x') })
    const xterm = fake.created.at(-1) as unknown as { typed(data: string): void }
    const paste = `a${'😀€'.repeat(60_000)}`
    fake.inputs.length = 0
    xterm.typed(paste)
    expect(fake.inputs.length).toBeGreaterThan(2)
    expect(fake.inputs.every((p) => p.id === 's4' && p.data.length <= INPUT_CHUNK && !/^[\udc00-\udfff]/.test(p.data))).toBe(true)
    expect(fake.inputs.map((p) => p.data).join('')).toBe(paste)
    fake.inputs.length = 0
    xterm.typed('k')
    expect(fake.inputs).toEqual([{ id: 's4', data: 'k' }])
    disposeTerm('s4')
  })
})
