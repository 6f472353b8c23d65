import { afterEach, describe, expect, it } from 'vitest'
import { handlingCtrlC, sayCancelledBeforeWork } from './interrupt'

describe('Ctrl+C before any work began', () => {
  const guards: Array<{ stepAside: () => void }> = []
  afterEach(() => guards.splice(0).forEach((g) => g.stepAside()))

  function guard() {
    const said: string[] = []
    const exits: number[] = []
    const g = sayCancelledBeforeWork((t) => said.push(t), (c) => exits.push(c))
    guards.push(g)
    return { g, said, exits }
  }

  it('says it was received and exits 130 while only reads ran; a command that handles it speaks instead', async () => {
    const { g, said, exits } = guard()
    const handlers = g.watch({ 'vms:get': async () => 'read', 'vms:stop': async () => 'changed' })
    await handlers['vms:get']()
    const release = handlingCtrlC()
    process.emit('SIGINT', 'SIGINT')
    expect(exits).toEqual([])
    release()
    process.emit('SIGINT', 'SIGINT')
    expect({ said, exits }).toEqual({ said: ['\ncancelled; nothing was changed.\n'], exits: [130] })
  })

  it('steps aside once the engine is asked to change something', async () => {
    const { g, exits } = guard()
    const before = process.listenerCount('SIGINT')
    expect(await g.watch({ 'vms:stop': async () => 'changed' })['vms:stop']()).toBe('changed')
    expect(process.listenerCount('SIGINT')).toBe(before - 1)
    expect(exits).toEqual([])
  })
})
