import { useEffect, useRef, useState } from 'react';
import { NameCache } from '../../client/name-cache.js';
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
}

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
    const loadMe = () =>
      source.me().then(
        (me) => alive && changed(store.setMe(me)),
        (err) => alive && fail(err),
      );

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
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => {
      alive = false;
      clearInterval(timer);
      batcher.stop();
    };
  }, [source, store, names, batchMs, refreshMs]);

  return { store, revision, loaded, flush: () => flushRef.current() };
}
