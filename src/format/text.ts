// Text for screens, shared by the CLI, the TUI and the client's name cache. No I/O.
// Widths are terminal columns, measured with string-width: a CJK character or
// an emoji takes two, a combining mark none.
import stringWidth from 'string-width';

/** A count and its noun: 1 bid, 2 bids. */
export function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** The columns a terminal gives the text. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

let segmenter: Intl.Segmenter | undefined;

/** The text's characters as a person sees them (grapheme clusters): 👍🏽 and é written e + ◌́ are one each. */
export function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** Shortens text to at most `max` columns, ending with an ellipsis when cut; never splits a character. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let kept = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const w = displayWidth(g);
    if (used + w > max - 1) break;
    kept += g;
    used += w;
  }
  return `${kept}…`;
}

/** Pads text with spaces to `size` columns: after it (left-aligned) or before it (right-aligned). */
export function padToWidth(text: string, size: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, size - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}
