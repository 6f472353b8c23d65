import { afterAll, beforeAll, expect, it } from 'vitest'
import ssh2, { Client } from 'ssh2'
import type { AddressInfo } from 'node:net'
import { execOn } from '../../src/core/ssh/exec'
import { generateEd25519 } from '../../src/core/ssh/keys'

/**
 * A real SSH server (ssh2's) that answers an exec with its success reply, exit status, EOF and close in one burst,
 * as a busy host's TCP stack delivers a fast command's packets in one read. The exit status must not be lost.
 */
const { Server } = ssh2
let server: InstanceType<typeof Server>
let port = 0

beforeAll(async () => {
  const hostKey = generateEd25519('exec-race').private
  server = new Server({ hostKeys: [hostKey] }, (conn) => {
    conn.on('authentication', (ctx) => ctx.accept())
    conn.on('session', (acceptSession) => {
      acceptSession().on('exec', (accept, _reject, info) => {
        const ch = accept()
        // Everything in the same tick: the client parses it all in one go.
        if (info.command.includes('fail')) {
          ch.exit(3)
        } else {
          ch.write('done\n')
          ch.exit(0)
        }
        ch.end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  port = (server.address() as AddressInfo).port
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

it('keeps the exit status of a command whose packets arrive in one burst', async () => {
  const client = new Client()
  await new Promise<void>((resolve, reject) => client.once('ready', resolve).once('error', reject).connect({ host: '127.0.0.1', port, username: 'admin', password: 'x' }))
  try {
    for (let i = 0; i < 50; i++) {
      expect(await execOn(client, 'true')).toEqual({ stdout: 'done\n', stderr: '', code: 0 })
      expect((await execOn(client, 'fail')).code).toBe(3)
    }
  } finally {
    client.end()
  }
})
