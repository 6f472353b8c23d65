import { clientKeyPath, knownHostsPath } from './keys'

/**
 * OpenSSH options for reaching a VM as CAL does: CAL's key, CAL's known_hosts, strict checking. The user's own
 * ~/.ssh/config is not read (-F /dev/null), and nothing of theirs is offered or forwarded: their ssh-agent
 * forwarded into the VM would let the agent there sign with their personal keys. Used by `cal ssh` and by the
 * SSH command the app copies.
 */
export function opensshOptions(calHome: string): string[] {
  return [
    '-F', '/dev/null',
    '-o', `IdentityFile=${opensshValue(clientKeyPath(calHome))}`,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'ForwardAgent=no',
    '-o', 'ForwardX11=no',
    '-o', 'ClearAllForwardings=yes',
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    '-o', `UserKnownHostsFile=${opensshValue(knownHostsPath(calHome))}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ServerAliveInterval=15',
  ]
}

/**
 * A path as the value of an OpenSSH `-o` option. Such a value is split into words like a config file line
 * (UserKnownHostsFile takes several files), so a CAL_HOME with a space in it is quoted, or OpenSSH would look for
 * the host key in two files that do not exist and refuse the VM; and %-tokens are expanded, so "%" is written "%%".
 */
export function opensshValue(path: string): string {
  const p = path.replace(/%/g, '%%')
  return /[\s"'\\]/.test(p) ? `"${p.replace(/["\\]/g, '\\$&')}"` : p
}
