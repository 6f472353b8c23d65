import { describe, expect, it } from 'vitest'
import { tabKeyIndex } from './tabKeys'

describe('tab list keys', () => {
  it('moves with Left and Right, wrapping around, and jumps with Home and End', () => {
    expect(tabKeyIndex('ArrowRight', 0, 3)).toBe(1)
    expect(tabKeyIndex('ArrowRight', 2, 3)).toBe(0)
    expect(tabKeyIndex('ArrowLeft', 0, 3)).toBe(2)
    expect(tabKeyIndex('ArrowLeft', 2, 3)).toBe(1)
    expect(tabKeyIndex('Home', 2, 3)).toBe(0)
    expect(tabKeyIndex('End', 0, 3)).toBe(2)
  })

  it('leaves other keys, and an empty list, alone', () => {
    expect(tabKeyIndex('ArrowDown', 0, 3)).toBeNull()
    expect(tabKeyIndex('a', 0, 3)).toBeNull()
    expect(tabKeyIndex('ArrowRight', 0, 0)).toBeNull()
  })
})
