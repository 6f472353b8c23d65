import { describe, expect, it } from 'vitest'
import { attemptText, reconnectView } from './reconnect'

describe('reconnect banner text', () => {
  it('counts down to the next attempt in whole seconds from when the engine said it', () => {
    const r = reconnectView({ attempt: 3, retryInMs: 4_000, keepsTyping: true }, 10_000)!
    expect(r).toEqual({ attempt: 3, retryAt: 14_000, keepsTyping: true, vmStopped: false })
    expect(attemptText(r, 10_000)).toBe('Attempt 3 · next try in 4 s')
    expect(attemptText(r, 10_001)).toBe('Attempt 3 · next try in 4 s')
    expect(attemptText(r, 11_000)).toBe('Attempt 3 · next try in 3 s')
    expect(attemptText(r, 13_500)).toBe('Attempt 3 · next try in 1 s')
    // Late (the engine's "under way" not here yet): never "0 s" or a negative time.
    expect(attemptText(r, 15_000)).toBe('Attempt 3 · next try in 1 s')
  })

  it('rounds a short wait up to a second', () => {
    expect(attemptText(reconnectView({ attempt: 1, retryInMs: 250, keepsTyping: true }, 0)!, 0)).toBe('Attempt 1 · next try in 1 s')
  })

  it('says an attempt is under way', () => {
    const r = reconnectView({ attempt: 4, retryInMs: null, keepsTyping: false }, 500)!
    expect(r).toEqual({ attempt: 4, retryAt: null, keepsTyping: false, vmStopped: false })
    expect(attemptText(r, 99_999)).toBe('Attempt 4 · trying now…')
  })

  it('has nothing to say without the engine\'s word', () => {
    expect(reconnectView(null, 0)).toBeNull()
    expect(reconnectView(undefined, 0)).toBeNull()
  })
})
