// Which auctions `neighborbid watch --all-open` watches: every open one at the
// start (the whole open listing, page by page), then, on each later look, the
// open ones created since. A later look reads the listing of all auctions
// newest first and stops at the first page that reaches what an earlier look
// covered, so it usually costs one request however many auctions there are.
import type { HttpClient } from '../client/http-client.js';
import type { Auction } from '../protocol/types.js';

/** Auctions per listing request (the daemon's most). */
const PAGE = 200;

export class OpenAuctions {
  /** Every auction already watched or refused: never picked up twice. */
  private readonly known: Set<number>;
  /** The newest auction id an earlier look saw; a look stops on the page that reaches it. */
  private ceiling = 0;

  constructor(
    private readonly client: HttpClient,
    known: Iterable<number> = [],
  ) {
    this.known = new Set(known);
  }

  /** Every auction open now, soonest ending first, at most `max` of them, and how many more there were. */
  async initial(max: number): Promise<{ ids: number[]; more: number }> {
    // Read the newest id first: anything created after it is left to the next look.
    const newest = await this.client.listAuctions({ status: 'all', limit: 1 });
    this.ceiling = newest.auctions[0]?.id ?? 0;
    const open: Auction[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listAuctions({ status: 'open', limit: PAGE, ...(cursor && { cursor }) });
      open.push(...page.auctions);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && this.fresh(open).length < max);
    return this.take(this.fresh(open), max);
  }

  /** Open auctions created since the previous look, at most `max`, and how many more there were. */
  async since(max: number): Promise<{ ids: number[]; more: number }> {
    const found: Auction[] = [];
    let newest = this.ceiling;
    let cursor: string | undefined;
    // Newest first. The first page is always read whole: an auction whose id is
    // below the ceiling may have committed after the previous look read it.
    for (;;) {
      const page = await this.client.listAuctions({ status: 'all', limit: PAGE, ...(cursor && { cursor }) });
      newest = Math.max(newest, page.auctions[0]?.id ?? 0);
      found.push(...page.auctions.filter((a) => a.status === 'open'));
      cursor = page.nextCursor ?? undefined;
      if (!cursor || page.auctions.some((a) => a.id <= this.ceiling)) break;
    }
    this.ceiling = newest;
    return this.take(this.fresh(found), max);
  }

  private fresh(auctions: Auction[]): number[] {
    return [...new Set(auctions.map((a) => a.id).filter((id) => !this.known.has(id)))];
  }

  private take(ids: number[], max: number): { ids: number[]; more: number } {
    const taken = ids.slice(0, Math.max(0, max));
    for (const id of taken) this.known.add(id);
    return { ids: taken, more: ids.length - taken.length };
  }
}
