import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { TerminalStatusProps } from './TerminalStatus'
import { TerminalStatus } from './TerminalStatus'
import { reconnectView, TYPING_KEPT } from './reconnect'

const render = (p: Partial<TerminalStatusProps>) =>
  renderToStaticMarkup(<TerminalStatus state="reconnecting" message={null} linkDown={false} reconnect={null} onRetry={() => {}} onStartVm={() => {}} {...p} />)

describe('terminal status banner', () => {
  it('names the attempt, when the next one starts, that typing is kept, and offers Retry now', () => {
    const html = render({ message: 'The connection to the VM was lost.', reconnect: reconnectView({ attempt: 3, retryInMs: 4_000, keepsTyping: true }, Date.now()) })
    expect(html).toContain('<p role="status"><strong>Reconnecting…</strong> The connection to the VM was lost.</p>')
    expect(html).toMatch(/data-testid="terminal-attempt">Attempt 3 · next try in [45] s</)
    expect(html).toContain(TYPING_KEPT)
    expect(html).toMatch(/<button type="button" class="button small terminal-status-retry"[^>]*>Retry now<\/button>/)
  })

  it('does not say typing is kept where it is not (a plain login shell, a VM restarting)', () => {
    const html = render({ reconnect: reconnectView({ attempt: 1, retryInMs: null, keepsTyping: false }, 0) })
    expect(html).toContain('Attempt 1 · trying now…')
    expect(html).not.toContain(TYPING_KEPT)
    expect(html).toContain('Retry now')
  })

  it('offers Start VM instead of Retry now, and no typing promise, when the VM is stopped', () => {
    const html = render({ message: 'dev is stopped: start it and this tab reattaches.', reconnect: reconnectView({ attempt: 6, retryInMs: 5_000, keepsTyping: false, vmStopped: true }, 0) })
    expect(html).toMatch(/<button type="button" class="button small primary terminal-status-retry"[^>]*>Start VM<\/button>/)
    expect(html).not.toContain('Retry now')
    expect(html).not.toContain(TYPING_KEPT)
  })

  it('offers no retry when the window lost CAL itself, nor after the session ended; nothing while connected', () => {
    const link = render({ linkDown: true, reconnect: reconnectView({ attempt: 2, retryInMs: 500, keepsTyping: true }, 0) })
    expect(link).toContain('Lost the connection to CAL')
    expect(link).not.toContain('Retry now')
    expect(link).not.toContain('Attempt')
    const ended = render({ state: 'closed', message: 'The session ended.' })
    expect(ended).toContain('Session ended.')
    expect(ended).toContain('is-closed')
    expect(ended).not.toContain('Retry now')
    expect(render({ state: 'connected' })).toBe('')
  })
})
