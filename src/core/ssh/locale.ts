/**
 * The locale a VM's terminals run in, sent as LANG when their channel opens (as OpenSSH's `SendEnv LANG LC_*` does
 * from Terminal.app; macOS's sshd accepts them). Without one the guest's shells run in the C locale: bash reads typed
 * non-ASCII as Meta keys, and ls shows accented names as "?". This Mac's own locale when it names a UTF-8 one, else
 * en_US.UTF-8, which every macOS has (an app opened from the Finder has no LANG at all).
 */
export function guestLocale(env: NodeJS.ProcessEnv = process.env): string {
  // The variable that decides the character set: LC_ALL over LC_CTYPE over LANG.
  const own = env.LC_ALL || env.LC_CTYPE || env.LANG
  return own && /^[\w.@-]+$/.test(own) && /utf-?8/i.test(own) ? own : 'en_US.UTF-8'
}
