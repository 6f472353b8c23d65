import { ImageRef } from '../../src/shared/names'
import { describe, expect, it } from 'vitest'
import {
  LineSplitter,
  isImageCached,
  localVms,
  normaliseImageRef,
  ociImages,
  parseCompressedSize,
  parseGet,
  parseList,
  parsePercentLine,
  parseVersion,
  stripCursorEscapes,
} from '../../src/core/tart/parse'

// Apple's pretty printer: two-space indent, "key" : value, "/" escaped, random key order.
const LIST_231 = `[
  {
    "State" : "running",
    "Accessed" : "2026-05-12T21:45:18Z",
    "Disk" : 50,
    "Name" : "runner-1",
    "Running" : true,
    "Size" : 23,
    "Source" : "local"
  },
  {
    "Accessed" : "2026-05-10T08:01:02Z",
    "Disk" : 50,
    "Name" : "ghcr.io\\/cirruslabs\\/macos-tahoe-base:latest",
    "Running" : false,
    "Size" : 23,
    "Source" : "OCI",
    "State" : "stopped"
  },
  {
    "Size" : 23,
    "Disk" : 50,
    "Name" : "ghcr.io\\/cirruslabs\\/macos-tahoe-base@sha256:${'a'.repeat(64)}",
    "Running" : false,
    "Source" : "OCI",
    "State" : "stopped",
    "Accessed" : "2026-05-10T08:01:02Z"
  }
]
`
const LIST_230 = `[
  {
    "Disk" : 80,
    "Name" : "dev",
    "Running" : false,
    "SizeOnDisk" : 31,
    "Source" : "local",
    "State" : "suspended"
  }
]
`

describe('tart list --format json', () => {
  it('parses Tart ≥ 2.31 (Accessed, no SizeOnDisk), unescaping "\\/" and any key order', () => {
    const rows = parseList(LIST_231)
    expect(rows[0]).toEqual({ source: 'local', name: 'runner-1', diskGb: 50, sizeGb: 23, accessed: '2026-05-12T21:45:18Z', state: 'running' })
    expect(rows[1]?.name).toBe('ghcr.io/cirruslabs/macos-tahoe-base:latest')
    expect(rows[1]?.source).toBe('oci')
  })

  it('parses Tart 2.15–2.30 (SizeOnDisk, no Accessed)', () => {
    expect(parseList(LIST_230)).toEqual([{ source: 'local', name: 'dev', diskGb: 80, sizeGb: 31, accessed: null, state: 'suspended' }])
  })

  it('parses the empty list Tart prints as "[\\n\\n]"', () => {
    expect(parseList('[\n\n]\n')).toEqual([])
  })

  it('falls back to Running when State is missing (Tart < 1.8)', () => {
    expect(parseList('[{"Source":"local","Name":"a","Disk":1,"Size":1,"Running":true}]')[0]?.state).toBe('running')
  })

  it('counts each pulled image once although Tart lists it twice (tag link and digest dir)', () => {
    const rows = parseList(LIST_231)
    expect(localVms(rows).map((r) => r.name)).toEqual(['runner-1'])
    expect(ociImages(rows)).toHaveLength(1)
    expect(isImageCached(rows, 'ghcr.io/cirruslabs/macos-tahoe-base')).toBe(true)
    expect(isImageCached(rows, 'ghcr.io/cirruslabs/macos-sequoia-base:latest')).toBe(false)
  })

  it('rejects output that is not JSON or has the wrong shape with TART_FAILED', () => {
    expect(() => parseList('oops')).toThrow(expect.objectContaining({ code: 'TART_FAILED' }))
    expect(() => parseList('[{"Name":1}]')).toThrow(expect.objectContaining({ code: 'TART_FAILED' }))
  })
})

describe('tart get --format json', () => {
  it('reads Size as a string with three decimals and Memory in MiB', () => {
    const d = parseGet(`{
  "CPU" : 4,
  "Disk" : 50,
  "DiskFormat" : "raw",
  "Display" : "1024x768",
  "Memory" : 8192,
  "OS" : "darwin",
  "Running" : false,
  "Size" : "21.347",
  "State" : "stopped"
}
`)
    expect(d).toEqual({ os: 'darwin', cpu: 4, memoryMb: 8192, diskGb: 50, diskFormat: 'raw', sizeGb: 21.347, display: '1024x768', state: 'stopped' })
  })

  it('defaults OS to darwin and DiskFormat to raw for older Tart', () => {
    const d = parseGet('{"CPU":2,"Memory":4096,"Disk":20,"Size":"1.000","Display":"1024x768","Running":true,"State":"running"}')
    expect(d.os).toBe('darwin')
    expect(d.diskFormat).toBe('raw')
  })
})

describe('progress output', () => {
  it('reads plain CI lines and interactive rewrites (ESC[1A \\r ESC[J)', () => {
    expect(parsePercentLine('42%')).toBe(42)
    expect(parsePercentLine('\x1b[1A\r\x1b[J57%')).toBe(57)
    expect(parsePercentLine('100%')).toBe(100)
    expect(parsePercentLine('pulling NVRAM...')).toBeNull()
    expect(parsePercentLine('101%')).toBeNull()
    expect(stripCursorEscapes('\x1b[1A\r\x1b[J3%')).toBe('3%')
  })

  it('finds the compressed size announcement', () => {
    expect(parseCompressedSize('pulling disk (23.4 GB compressed)...')).toBe(23.4)
    expect(parseCompressedSize('pulling manifest...')).toBeNull()
  })

  it('splits chunks into lines even when a line arrives in pieces', () => {
    const lines: string[] = []
    const s = new LineSplitter((l) => lines.push(l))
    s.push('pulling disk (1')
    s.push('.2 GB compressed)...\n0%\n\x1b[1A\r\x1b[J5')
    s.push('0%\n')
    s.end()
    expect(lines.map(parsePercentLine)).toEqual([null, 0, 50])
  })
})

describe('misc', () => {
  it('normalises image refs like Tart (tag defaults to latest)', () => {
    expect(normaliseImageRef('ghcr.io/a/b')).toBe('ghcr.io/a/b:latest')
    expect(normaliseImageRef('127.0.0.1:8080/a/b')).toBe('127.0.0.1:8080/a/b:latest')
    expect(normaliseImageRef('ghcr.io/a/b:15')).toBe('ghcr.io/a/b:15')
    expect(normaliseImageRef(`ghcr.io/a/b@sha256:${'0'.repeat(64)}`)).toContain('@sha256:')
  })

  it('reads the version line', () => {
    expect(parseVersion('2.32.1\n')).toBe('2.32.1')
  })
})

describe('ImageRef', () => {
  it('takes registry references, and none that Tart would read as an option', () => {
    for (const ok of ['ghcr.io/cirruslabs/macos-sequoia-base:latest', '127.0.0.1:8080/a/b', `ghcr.io/a/b@sha256:${'0'.repeat(64)}`]) expect(ImageRef.safeParse(ok).success, ok).toBe(true)
    // `cal create x --image=--concurrency/4` reached `tart pull` as its option "--concurrency/4".
    for (const bad of ['--concurrency/4', '-x.io/a/b', '.io/a/b', 'ghcr.io/../b']) expect(ImageRef.safeParse(bad).success, bad).toBe(false)
  })
})
