#!/usr/bin/env node
// Draws CAL's icons and writes them as PNG files with Node's zlib (no image libraries needed):
//   resources/tray/{idle,running,busy,error}Template.png (+ @2x): black + alpha, so macOS tints them
//   for light and dark menu bars; resources/icon.png: the 512×512 app icon.
// Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// ---- PNG encoding (RGBA, 8 bits per channel, no interlace) ----
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4)
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

// ---- Shapes as signed distance functions in a 16×16 design grid (negative = inside) ----
const roundRect = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r
  const qy = Math.abs(y - cy) - hh + r
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r
const segment = (ax, ay, bx, by, r) => (x, y) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - dx * h, py - dy * h) - r
}
const stroke = (sdf, w) => (x, y) => Math.abs(sdf(x, y)) - w / 2
const union = (...fs) => (x, y) => Math.min(...fs.map((f) => f(x, y)))
const subtract = (a, b) => (x, y) => Math.max(a(x, y), -b(x, y))
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  // Inside test with a soft edge: distance to the nearest edge, signed.
  const edges = [[ax, ay, bx, by], [bx, by, cx, cy], [cx, cy, ax, ay]]
  const dist = Math.min(...edges.map(([x1, y1, x2, y2]) => segment(x1, y1, x2, y2, 0)(x, y)))
  const sign = (x1, y1, x2, y2) => (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
  const s = [sign(ax, ay, bx, by), sign(bx, by, cx, cy), sign(cx, cy, ax, ay)]
  const inside = s.every((v) => v >= 0) || s.every((v) => v <= 0)
  return inside ? -dist : dist
}

// The common glyph: a screen (the VM) on a small stand.
const screen = roundRect(8, 7, 6.6, 4.9, 1.6)
const frame = union(stroke(screen, 1.4), segment(5.5, 14, 10.5, 14, 0.7), segment(8, 12, 8, 14, 0.7))
const glyphs = {
  idle: frame,
  running: union(frame, triangle(6.6, 4.6, 6.6, 9.4, 10.6, 7)),
  busy: union(frame, circle(5.2, 7, 1.05), circle(8, 7, 1.05), circle(10.8, 7, 1.05)),
  // A filled screen with the "!" knocked out: distinct without colour (template images are monochrome).
  error: union(subtract(screen, union(segment(8, 4.3, 8, 7.6, 0.85), circle(8, 9.7, 0.95))), segment(5.5, 14, 10.5, 14, 0.7), segment(8, 12, 8, 14, 0.7)),
}

/** Rasterise with 4×4 supersampling; `paint(x, y)` returns [r, g, b, a] in 0..1 for a design-space point. */
function render(size, design, paint) {
  const out = Buffer.alloc(size * size * 4)
  const n = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0]
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = ((px + (sx + 0.5) / n) / size) * design
          const y = ((py + (sy + 0.5) / n) / size) * design
          const [r, g, b, a] = paint(x, y)
          acc[0] += r * a
          acc[1] += g * a
          acc[2] += b * a
          acc[3] += a
        }
      }
      const i = (py * size + px) * 4
      const a = acc[3] / (n * n)
      out[i] = a ? Math.round((acc[0] / acc[3]) * 255) : 0
      out[i + 1] = a ? Math.round((acc[1] / acc[3]) * 255) : 0
      out[i + 2] = a ? Math.round((acc[2] / acc[3]) * 255) : 0
      out[i + 3] = Math.round(a * 255)
    }
  }
  return out
}

function write(path, size, rgba) {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, encodePng(size, size, rgba))
  console.log(`wrote ${path.slice(root.length + 1)} (${size}×${size})`)
}

for (const [state, sdf] of Object.entries(glyphs)) {
  const black = (x, y) => [0, 0, 0, sdf(x, y) <= 0 ? 1 : 0]
  write(join(root, 'resources', 'tray', `${state}Template.png`), 16, render(16, 16, black))
  write(join(root, 'resources', 'tray', `${state}Template@2x.png`), 32, render(32, 16, black))
}

// App icon: a rounded tile with a deep-blue to teal gradient, and the white screen glyph with a play mark.
const tile = roundRect(8, 8, 7.2, 7.2, 1.7)
const appGlyph = union(stroke(roundRect(8, 7.2, 4.6, 3.4, 0.9), 0.75), segment(6.2, 12, 9.8, 12, 0.38), segment(8, 10.6, 8, 12, 0.38), triangle(7.1, 5.6, 7.1, 8.8, 9.7, 7.2))
write(join(root, 'resources', 'icon.png'), 512, render(512, 16, (x, y) => {
  if (tile(x, y) > 0) return [0, 0, 0, 0]
  if (appGlyph(x, y) <= 0) return [1, 1, 1, 1]
  const t = (x + y) / 32
  return [0.09 + 0.0 * t, 0.18 + 0.42 * t, 0.42 + 0.2 * t, 1]
}))
