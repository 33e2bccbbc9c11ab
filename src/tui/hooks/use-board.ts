import { useEffect, useRef, useState } from 'react';
import { NameCache } from '../../client/name-cache.js';
import { inboxSummary } from '../../format/inbox-summary.js';
import type { BoardSource } from '../data/board-source.js';
import { createBatcher } from '../state/batcher.js';
import { BoardStore } from '../state/board-store.js';
import { describeError } from '../state/describe-error.js';

export interface BoardOptions {
  /** Longest a change waits before it is drawn; events inside it share one render. */
  batchMs?: number;
  /** How often the open list is re-read, to find new auctions and settle unwatched ones. */
  refreshMs?: number;
}

export interface BoardHandle {
  store: BoardStore;
  /** Changes whenever the store has been flushed to the screen. */
  revision: number;
  /** True once the first list of auctions has arrived. */
  loaded: boolean;
  /** Draws pending changes now (after a person's own action). */
  flush(): void;
  /** Titles of the auctions named by what happened while the user was away (those not on the board too). */
  awayTitle(id: number): string | undefined;
}

/** Auctions of the away list whose titles are looked up, at most. */
const AWAY_TITLES = 20;

/**
 * Feeds the source's events into a store and renders them in batches. Users
 * new to the board are looked up by name once per batch (one request for all
 * of them); the names come back into the store and show with the next batch.
 */
export function useBoard(source: BoardSource, options: BoardOptions = {}): BoardHandle {
  const { batchMs = 80, refreshMs = 10_000 } = options;
  const namesRef = useRef<NameCache | null>(null);
  namesRef.current ??= new NameCache(source);
  const names = namesRef.current;
  const storeRef = useRef<BoardStore | null>(null);
  storeRef.current ??= new BoardStore(names);
  const store = storeRef.current;
  const [revision, setRevision] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const flushRef = useRef<() => void>(() => {});
  const awayTitles = useRef(new Map<number, string>()).current;

  useEffect(() => {
    let alive = true;
    const askNames = () => {
      const ids = store.takeUnnamed();
      if (ids.length === 0) return;
      void names.lookup(ids).then((learned) => {
        if (alive && learned && store.namesChanged()) batcher.mark();
      });
    };
    const batcher = createBatcher(() => {
      if (!alive) return;
      askNames();
      setRevision(store.revision);
    }, batchMs);
    // A change made outside the event stream (a list, a detail, a person's own bid) is drawn at once.
    const drawNow = () => {
      batcher.mark();
      batcher.flushNow();
    };
    flushRef.current = drawNow;
    const changed = (did: boolean) => {
      if (did) batcher.mark();
    };
    const fail = (err: unknown) => changed(store.setNotice({ kind: 'error', text: describeError(err), at: Date.now() }));

    let refreshing = false;
    const refresh = async () => {
      if (refreshing) return;
      refreshing = true;
      try {
        const open = await source.listOpen();
        if (!alive) return;
        const now = Date.now();
        for (const a of open) store.upsert(a, now);
        // Auctions that ended off screen were not watched; ask for their final state.
        const gone = store.missingFrom(new Set(open.map((a) => a.id)), now);
        const finals = await Promise.allSettled(gone.map((id) => source.detail(id)));
        if (!alive) return;
        for (const f of finals) if (f.status === 'fulfilled') store.upsert(f.value, Date.now());
        store.prune(Date.now());
        setLoaded(true);
        drawNow();
      } catch (err) {
        if (alive) fail(err);
      } finally {
        refreshing = false;
      }
    };
    // Then the maxima the user leads by, which only they can read (for the board's `+`).
    const loadMe = () =>
      source
        .me()
        .then(async (me) => {
          if (!alive) return;
          changed(store.setMe(me));
          if (me === null) return;
          const { bids } = await source.myBids();
          if (alive) for (const b of bids) if (b.status === 'open') changed(store.setMyMax(b.auctionId, b.leading ? b.yourMax : null));
        })
        .catch((err: unknown) => alive && fail(err));

    // What happened while the user was away: outbid marks on the board, one line saying it all,
    // and the names and titles its list shows.
    const showAway = () => {
      const events = source.away?.events ?? [];
      if (events.length === 0) return;
      const now = Date.now();
      for (const e of events) if (e.type === 'outbid') store.applyPrivate(e, now);
      store.setNotice({ kind: 'info', text: `While you were away: ${inboxSummary(events)}.`, at: now });
      const users = events.flatMap((e) => (e.type === 'outbid' ? (e.leaderId === null ? [] : [e.leaderId]) : e.type === 'lost' ? (e.winnerId === null ? [] : [e.winnerId]) : e.type === 'sale' ? [e.buyerId] : []));
      void names.lookup(users).then((learned) => alive && learned && store.namesChanged() && batcher.mark());
      const ids = [...new Set(events.flatMap((e) => ('auction' in e ? [e.auction] : [])))].slice(-AWAY_TITLES);
      void Promise.allSettled(ids.map((id) => source.detail(id))).then((found) => {
        for (const r of found) if (r.status === 'fulfilled') awayTitles.set(r.value.id, r.value.title);
        if (alive && store.namesChanged()) drawNow();
      });
      drawNow();
    };

    let wasLive = false;
    source.start({
      snapshot: (a) => changed(store.upsert(a, Date.now())),
      event: (e) => changed(store.apply(e, Date.now())),
      private: (e) => changed(store.applyPrivate(e, Date.now())),
      presence: (auction, watching) => changed(store.setWatching(auction, watching)),
      connection: (state) => {
        store.setConnection(state);
        // After a reconnect the socket resumes events, but money and new auctions are re-read.
        if (state.kind === 'live' && wasLive) {
          void loadMe();
          void refresh();
        }
        if (state.kind === 'live') wasLive = true;
        drawNow();
      },
    });
    void loadMe();
    void refresh();
    showAway();
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => {
      alive = false;
      clearInterval(timer);
      batcher.stop();
    };
  }, [source, store, names, batchMs, refreshMs]);

  return { store, revision, loaded, flush: () => flushRef.current(), awayTitle: (id) => awayTitles.get(id) ?? store.auction(id)?.title };
}
