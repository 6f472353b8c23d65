import { describe, expect, it } from 'vitest'
import { numberError, numberProblem, snapshotNameError, vmNameError } from './validate'

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
