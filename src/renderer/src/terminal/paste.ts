/**
 * Pasted text as it may reach a terminal: control characters other than tab, line feed and carriage return are
 * dropped (C0, DEL and C1, ESC among them), as xterm, VTE and kitty do. A text copied from a web page can hide an
 * "end of paste" marker (ESC [ 201 ~) followed by a command and a line feed: with the marker, the shell took the
 * rest as typed and ran it, without Enter. Without ESC it stays text inside the paste.
 */
export function pasteText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, '')
}
