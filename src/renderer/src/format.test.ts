import { describe, expect, it } from 'vitest'
import { bytes, duration, eta, findResultLabel, gb, listJoin, memory, memoryGb, memoryMb, relativeTime, uptime, usedGb } from './format'

const NOW = Date.parse('2025-01-10T12:00:00Z')
const ago = (s: number) => new Date(NOW - s * 1000).toISOString()

describe('format', () => {
  it('says relative times the way macOS does', () => {
    expect(relativeTime(ago(10), NOW)).toBe('just now')
    expect(relativeTime(ago(120), NOW)).toBe('2 minutes ago')
    expect(relativeTime(ago(3 * 3600), NOW)).toBe('3 hours ago')
    expect(relativeTime(ago(86400), NOW)).toBe('yesterday')
    expect(relativeTime(null, NOW)).toBe('never')
    expect(relativeTime('not a date', NOW)).toBe('not a date')
  })

  it('formats uptime, durations and ETA', () => {
    expect(uptime(ago(3725), NOW)).toBe('1 h 2 m')
    expect(uptime(null, NOW)).toBe('—')
    expect(duration(2 * 86400 + 3 * 3600)).toBe('2 d 3 h')
    expect(duration(65)).toBe('1 m 5 s')
    expect(eta(312)).toBe('about 5 m 12 s left')
    expect(eta(null)).toBe('')
  })

  it('formats sizes in decimal units', () => {
    expect(bytes(10.2e9)).toBe('10.2 GB')
    expect(bytes(512)).toBe('512 B')
    expect(bytes(null)).toBe('—')
    expect(gb(23.44)).toBe('23.4 GB')
    expect(gb(182.5)).toBe('183 GB')
    expect(usedGb(0)).toBe('< 1 GB')
    expect(usedGb(23)).toBe('23 GB')
    expect(memory(8192)).toBe('8 GB')
    expect(memory(1536)).toBe('1.5 GB')
    expect(memory(3000)).toBe('2.9 GB')
    // The GB a memory field shows, and back to the MB the engine takes.
    expect(memoryGb(8192)).toBe(8)
    expect(memoryMb(6.5)).toBe(6656)
    expect(memoryMb(memoryGb(8192))).toBe(8192)
  })

  it('joins lists in prose', () => {
    expect(listJoin(['a'])).toBe('a')
    expect(listJoin(['a', 'b'])).toBe('a and b')
    expect(listJoin(['a', 'b', 'c'])).toBe('a, b and c')
  })

  it('counts find results', () => {
    expect(findResultLabel({ index: 2, count: 12 }, 'x', false)).toBe('3 of 12')
    expect(findResultLabel({ index: -1, count: 0 }, 'x', false)).toBe('No results')
    expect(findResultLabel({ index: -1, count: 1000 }, 'x', false)).toBe('1000+ results')
    expect(findResultLabel(null, 'x(', true)).toBe('Invalid pattern')
    expect(findResultLabel({ index: 0, count: 1 }, '', false)).toBe('')
  })
})
