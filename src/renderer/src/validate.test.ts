import { describe, expect, it } from 'vitest'
import { snapshotNameError, vmNameError } from './validate'

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
