import { describe, expect, it } from 'vitest'
import { baseImageError, numberError, numberProblem, snapshotNameError, vmNameError } from './validate'

describe('name validation as you type', () => {
  it('accepts good names and optional empty snapshot names', () => {
    expect(vmNameError('my-workspace_1.2', [])).toBe('')
    expect(snapshotNameError('', [])).toBe('')
  })

  it('explains bad names with the contract rule', () => {
    expect(vmNameError('', [])).toBe('Give the workspace a name.')
    expect(vmNameError('bad name', [])).toMatch(/letters, digits/)
    expect(vmNameError('-leading', [])).toMatch(/starting with a letter or digit/)
    expect(vmNameError('x'.repeat(64), [])).toMatch(/1–63/)
  })

  it('refuses the parts CAL keeps for its snapshot and restore copies, as the engine does', () => {
    expect(vmNameError('x.snap.y', [])).toBe('CAL keeps names containing ".snap." for its own snapshot and restore copies: pick another.')
    expect(vmNameError('a.restore-old', [])).toMatch(/"\.restore-old"/)
    expect(snapshotNameError('b.restore-tmp', [])).toMatch(/"\.restore-tmp"/)
    expect(snapshotNameError('restore-old', [])).toBe('CAL keeps snapshot names starting with "restore-old" for its own snapshot and restore copies: pick another.')
    expect(vmNameError('restore-old', [])).toBe('')
    expect(snapshotNameError('a..b', [])).toBe('A name cannot contain two dots in a row.')
    expect(vmNameError('snap.shot', [])).toBe('')
  })

  it('takes an image reference or a VM on this Mac as a base, and says which VMs there are not', () => {
    expect(baseImageError('ghcr.io/cirruslabs/macos-sequoia-base:latest', [])).toBe('')
    expect(baseImageError('cal-init', ['cal-clean', 'cal-init'])).toBe('')
    expect(baseImageError('cal-init', ['cal-clean'])).toMatch(/^There is no VM named "cal-init" on this Mac/)
    // Settings' default may name a VM made later.
    expect(baseImageError('cal-init')).toBe('')
    expect(baseImageError('not an image!!', [])).toMatch(/^Use an image reference such as .*, or the name of a VM on this Mac/)
    expect(baseImageError('dev.snap.before', ['dev.snap.before'])).toMatch(/^Use an image reference/)
    expect(baseImageError('  ', [])).toMatch(/^Name an image/)
  })

  it('refuses names already taken', () => {
    expect(snapshotNameError('before', ['before'])).toBe('A snapshot named "before" already exists.')
    expect(vmNameError('dev', ['dev'])).toBe('A workspace named "dev" already exists.')
  })
})

describe('number fields', () => {
  const cpu = { min: 1, max: 64 }
  const memory = { min: 1, max: 1024, decimals: 1 }

  it('calls an empty field required, never 0', () => {
    expect(numberProblem('', { min: 0, max: 100 })).toBe('required')
    expect(numberProblem('  ', cpu)).toBe('required')
    expect(numberError('', cpu)).toBe('Required: a whole number from 1 to 64.')
    expect(numberError('', memory)).toBe('Required: a number from 1 to 1024, to one decimal.')
  })

  it('checks the range and the decimals', () => {
    expect(numberProblem('4', cpu)).toBeNull()
    expect(numberProblem('0', { min: 0, max: 100 })).toBeNull()
    expect(numberError('2.5', cpu)).toBe('Use a whole number from 1 to 64.')
    expect(numberProblem('65', cpu)).toBe('invalid')
    expect(numberProblem('6.5', memory)).toBeNull()
    expect(numberProblem('2.3', memory)).toBeNull()
    expect(numberProblem('6.25', memory)).toBe('invalid')
    expect(numberProblem('0.5', memory)).toBe('invalid')
    expect(numberProblem('1e400', memory)).toBe('invalid')
  })
})
