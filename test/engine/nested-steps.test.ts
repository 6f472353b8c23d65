// A step of an inner verb (the start that brings a snapshot's VM back, the stop and start of a restart) is one log
// line of the outer task: it reads as what happens, not as the step's id ("resume: ip", "stop: shutdown").
import { describe, expect, it } from 'vitest'
import { nested } from '../../src/core/vms/context'

describe('nested steps', () => {
  it('log the inner step by its label', () => {
    const lines: string[] = []
    const r = nested({ step: () => undefined, log: (l) => lines.push(l) }, 'start')
    for (const id of ['check', 'boot', 'ip', 'ssh']) r.step(id)
    r.log('IP address 127.0.64.2')
    expect(lines).toEqual(['check the VM and the 2-VM limit', 'start the VM headless', 'wait for an IP address', 'wait for SSH', 'IP address 127.0.64.2'])
    const stop: string[] = []
    nested({ step: () => undefined, log: (l) => stop.push(l) }, 'stop').step('shutdown')
    expect(stop).toEqual(['ask the guest to shut down'])
  })
})
