// A run's bids per second as one line of block characters, for the terminal
// and the markdown report: each second one of ▁▂▃▄▅▆▇█, scaled from 0 to the
// run's busiest second, so a steady run is a flat top and a stall a dip.
import { fmt } from '../harness/report.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** One block per value, from 0 (▁) to the largest (█); empty for no values. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => BLOCKS[max > 0 ? Math.min(7, Math.max(0, Math.round((v / max) * 7))) : 0]).join('');
}

/** "▆▇█▇ (min 812, max 1,020 bids/s)", or "n/a (under a second)" when the run had no whole second. */
export function sparklineText(perSecond: readonly number[], unit = 'bids/s'): string {
  if (!perSecond.length) return 'n/a (under a second)';
  return `${sparkline(perSecond)} (min ${fmt(Math.min(...perSecond))}, max ${fmt(Math.max(...perSecond))} ${unit})`;
}
