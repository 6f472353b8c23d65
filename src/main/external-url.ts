import { CalError } from '../shared/errors'

/**
 * The only schemes CAL hands to the OS: web pages (a dev server in the VM prints plain http) and Screen Sharing.
 * Everything else (file:, smb:, custom app schemes) could open files or launch arbitrary apps.
 */
export const EXTERNAL_SCHEMES: readonly string[] = ['https:', 'http:', 'vnc:']

/** The parsed URL when CAL may open it; FORBIDDEN otherwise. */
export function checkExternalUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new CalError('INVALID_INPUT', `"${raw}" is not a URL.`, 'Use a full http://, https:// or vnc:// address.', { field: 'url' })
  }
  if (!EXTERNAL_SCHEMES.includes(url.protocol)) {
    throw new CalError('FORBIDDEN', `CAL does not open ${url.protocol} links.`, 'Only web (http://, https://) and Screen Sharing (vnc://) addresses can be opened from CAL.', {
      field: 'url',
    })
  }
  return url
}
