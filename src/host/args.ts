export interface HostArgs {
  port: number
  tartPath?: string
  calHome?: string
  demo: boolean
  help: boolean
}

export const USAGE = `usage: node out/host/server.js [--port N] [--tart PATH] [--cal-home DIR] [--demo]

Serves CAL's UI to a browser on 127.0.0.1 with window.cal over a WebSocket (a random token per run).
  --port N        port to listen on (default 0: a free one)
  --tart PATH     the tart executable (default: CAL_TART, else tart on PATH)
  --cal-home DIR  CAL's data folder (default: CAL_HOME, else ~/.cal)
  --demo          start the simulated Tart host with two VMs in temporary folders (Linux, root)
Prints one line, "CAL browser host: URL", once it is listening.`

/** Parse the host's command line; throws Error with a message for the user on a bad argument. */
export function parseHostArgs(argv: readonly string[]): HostArgs {
  const args: HostArgs = { port: 0, demo: false, help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '--port': {
        const v = value()
        const port = Number(v)
        if (!/^\d+$/.test(v) || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${v}"`)
        args.port = port
        break
      }
      case '--tart':
        args.tartPath = value()
        break
      case '--cal-home':
        args.calHome = value()
        break
      case '--demo':
        args.demo = true
        break
      case '--help':
      case '-h':
        args.help = true
        break
      default:
        throw new Error(`unknown argument "${arg}"`)
    }
  }
  return args
}
