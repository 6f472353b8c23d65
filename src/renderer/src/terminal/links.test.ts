import { describe, expect, it } from 'vitest'
import { clickOpensLink, linkTarget, linkTitle } from './links'

describe('terminal links', () => {
  it('opens web links, and points the VM\'s own loopback addresses at the VM', () => {
    expect(linkTarget('https://tart.run/quick-start', '192.168.64.5')).toBe('https://tart.run/quick-start')
    expect(linkTarget('http://localhost:3000/app?x=1', '192.168.64.5')).toBe('http://192.168.64.5:3000/app?x=1')
    expect(linkTarget('http://127.0.0.1:8080', '192.168.64.5')).toBe('http://192.168.64.5:8080/')
    expect(linkTarget('http://0.0.0.0:5173/', '192.168.64.5')).toBe('http://192.168.64.5:5173/')
    expect(linkTarget('http://[::1]:4000/', '192.168.64.5')).toBe('http://192.168.64.5:4000/')
  })

  it('leaves loopback alone where there is no VM (the Host tab, or a VM without an address)', () => {
    expect(linkTarget('http://localhost:3000/', null)).toBe('http://localhost:3000/')
  })

  it('opens nothing but http and https', () => {
    for (const uri of ['file:///etc/passwd', 'javascript:alert(1)', 'vnc://1.2.3.4', 'not a url']) expect(linkTarget(uri, '192.168.64.5')).toBeNull()
  })

  it('opens a link on ⌘-click on macOS and Ctrl+click elsewhere, never on a plain click, and says so on hover', () => {
    expect(clickOpensLink({ metaKey: true, ctrlKey: false }, true)).toBe(true)
    expect(clickOpensLink({ metaKey: false, ctrlKey: true }, true)).toBe(false)
    expect(clickOpensLink({ metaKey: false, ctrlKey: true }, false)).toBe(true)
    expect(clickOpensLink({ metaKey: false, ctrlKey: false }, false)).toBe(false)
    expect(linkTitle('https://tart.run/', true)).toBe('https://tart.run/\n⌘-click to open')
    expect(linkTitle('https://tart.run/', false)).toBe('https://tart.run/\nCtrl+click to open')
  })
})
