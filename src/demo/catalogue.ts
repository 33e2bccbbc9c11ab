// The demo's market: twenty things for sale, ending one after another, some
// with a buy-now price (some of it only until the first bid), some with a soft
// close, some with a hidden reserve and the standard increment table, so a
// newcomer sees every rule at work within a few minutes.
import type { CreateAuctionBody } from '../protocol/schemas.js';

const ITEMS: [title: string, startPrice: number][] = [
  ['Brass desk lamp', 400],
  ['Oak dining chair', 900],
  ['Vintage road bike', 6_000],
  ['Cast-iron skillet', 250],
  ['Record player', 3_500],
  ['Box of jazz LPs', 1_200],
  ['Mountain tent, 3 person', 2_800],
  ['Espresso machine', 4_500],
  ['Hand-knitted blanket', 700],
  ['Sourdough starter & jar', 100],
  ['Electric guitar', 7_500],
  ['Children\'s bookshelf', 1_100],
  ['Cordless drill', 1_600],
  ['Ceramic plant pots (4)', 300],
  ['Antique wall clock', 5_200],
  ['Snowboard with bindings', 3_900],
  ['Sewing machine', 2_200],
  ['Framed film poster', 600],
  ['Standing desk', 4_800],
  ['Garden bench', 2_600],
];

export interface CatalogueOptions {
  /** Seconds until the first auction ends. */
  firstEndSec?: number;
  /** Seconds between one end and the next. */
  spacingSec?: number;
}

/**
 * Twenty auctions with staggered ends: every third has buy now (every sixth
 * only until the first bid), every other one a soft close, and every fourth
 * (from the third) a reserve at twice its start price with the standard
 * increment table; the rest a fixed increment.
 */
export function catalogue(options: CatalogueOptions = {}): CreateAuctionBody[] {
  const first = options.firstEndSec ?? 75;
  const spacing = options.spacingSec ?? 25;
  return ITEMS.map(([title, startPrice], i) => ({
    title,
    startPrice,
    ...(i % 4 === 2
      ? { increments: 'standard' as const, reservePrice: startPrice * 2 }
      : { minIncrement: Math.max(10, Math.round(startPrice / 20 / 10) * 10) }),
    durationSec: first + i * spacing,
    ...(i % 3 === 0 ? { buyNowPrice: startPrice * 4 } : {}),
    ...(i % 6 === 0 ? { buyNowUntil: 'firstBid' as const } : {}),
    ...(i % 2 === 1 ? { softCloseSec: 20 } : {}),
  }));
}
