// A terminal read can hold several keys at once (fast typing, a paste, a busy
// process). Ink splits escape sequences but hands plain bytes over as one
// string, so "3000\r" would be one input; this splits it into the keys a person pressed.

export interface KeyPart {
  input: string;
  key: { return?: boolean; backspace?: boolean; delete?: boolean; ctrl?: boolean; tab?: boolean };
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Splits text into runs of printable characters and single control keys. */
export function splitBurst(text: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let run = '';
  for (const ch of text) {
    if (!CONTROL.test(ch)) {
      run += ch;
      continue;
    }
    if (run) parts.push({ input: run, key: {} });
    run = '';
    if (ch === '\r' || ch === '\n') parts.push({ input: '', key: { return: true } });
    else if (ch === '\u007f' || ch === '\b') parts.push({ input: '', key: { delete: true } });
    else if (ch === '\t') parts.push({ input: '', key: { tab: true } });
    // Ctrl-letter arrives as 0x01–0x1a: report the letter with ctrl, as Ink does for a lone one.
    else parts.push({ input: String.fromCharCode(ch.charCodeAt(0) + 96), key: { ctrl: true } });
  }
  if (run) parts.push({ input: run, key: {} });
  return parts;
}

export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}
