import { extname, isAbsolute, relative, resolve } from 'node:path'

/** CAL's pages load from cal://app/ rather than file://, so they get a real origin, CSP headers, and no file access. */
export const APP_SCHEME = 'cal'
export const APP_HOST = 'app'
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
}

export function contentType(path: string): string {
  return types[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The file under `root` a request URL names, or null when it names something outside it (`..`, encoded
 * separators) or another host. "/" serves index.html.
 */
export function resolveStaticFile(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const wanted = decoded === '/' || decoded === '' ? '/index.html' : decoded
  const file = resolve(root, `.${wanted}`)
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null
  return file
}

/** A cal:// URL's file under the renderer folder, or null for another host or a path outside it. */
export function appFileForUrl(rendererDir: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null
  return resolveStaticFile(rendererDir, url.pathname)
}

/** scheme://host of a page URL (WHATWG gives custom schemes an opaque "null" origin, so build it by hand). */
export function pageOrigin(pageUrl: string): string | null {
  try {
    const url = new URL(pageUrl)
    return `${url.protocol}//${url.host}`
  } catch {
    return null
  }
}
