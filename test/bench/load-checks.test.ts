// The load scenario's own checks, which decide whether a run passes: the
// per-stream delivery check (lost, duplicated, out of order) and the field
// reader the watchers use instead of JSON.parse, held to JSON.parse.
import { describe, expect, it } from 'vitest';
import { StreamCheck } from '../../bench/watchers/delivery-check.js';
import { newEventFields, readEvent } from '../../bench/watchers/event-fields.js';
import { watchList } from '../../bench/scenarios/load-phase.js';
import { kneeMisses, kneeOf } from '../../bench/scenarios/load-report.js';
import type { PhaseResult } from '../../bench/scenarios/load-types.js';
import { processOpenFiles } from '../../bench/harness/open-files.js';
import { watcherProcessesFor } from '../../bench/watchers/pool.js';

describe('StreamCheck', () => {
  it('passes versions that follow the snapshot one by one', () => {
    const s = new StreamCheck();
    s.begin(41);
    expect([42, 43, 44].map((v) => s.accept(v))).toEqual(['ok', 'ok', 'ok']);
    expect(s.complete(44)).toBe(true);
    expect([s.lost(44), s.duplicates, s.outOfOrder]).toEqual([0, 0, 0]);
  });

  it('counts a repeat as a duplicate, a jump and a late arrival as out of order, and what never came as lost', () => {
    const s = new StreamCheck();
    s.begin(0);
    expect(s.accept(1)).toBe('ok');
    expect(s.accept(1)).toBe('duplicate');
    expect(s.accept(4)).toBe('out-of-order'); // 2 and 3 skipped
    expect(s.accept(2)).toBe('out-of-order'); // late
    expect(s.accept(2)).toBe('duplicate');
    expect(s.complete(6)).toBe(false);
    expect(s.lost(6)).toBe(3); // 3, 5 and 6
    expect([s.received, s.duplicates, s.outOfOrder]).toEqual([5, 2, 2]);
  });

  it('counts an event before its snapshot as out of order', () => {
    const s = new StreamCheck();
    expect(s.accept(5)).toBe('out-of-order');
    expect(s.complete(5)).toBe(false);
  });
});

describe('readEvent', () => {
  // Frames as the daemon sends them: jsonb's key order for events, JSON.stringify's for the rest.
  const frames = [
    '{"at":"2026-11-25T17:08:04.937Z","type":"bid","bidId":812,"price":130,"amount":130,"endsAt":"2026-12-02T17:00:00.000Z","auction":7,"version":42,"bidCount":12,"bidderId":4,"leaderId":4,"automatic":false,"minNextBid":131,"reserveMet":true,"previousLeaderId":9}',
    '{"at":"2026-11-25T23:59:59.999Z","type":"extended","bidId":5,"endsAt":"2026-11-26T00:02:00.000Z","auction":12,"version":3}',
    '{"at":"2026-01-01T00:00:00.000Z","type":"cancelled","status":"cancelled","endsAt":"2026-01-02T00:00:00.000Z","auction":3,"version":1,"previousLeaderId":null}',
    '{"at":"2027-03-01T00:00:00.000Z","type":"closed","price":null,"reason":"reserve_not_met","status":"unsold","endsAt":"2027-03-01T00:00:00.000Z","auction":3,"version":2,"winnerId":null}',
  ];
  const read = (text: string) => {
    const f = newEventFields();
    return readEvent(Buffer.from(text), 0, text.length, f) === text.length ? f : undefined;
  };

  it('reads what JSON.parse reads', () => {
    for (const text of frames) {
      const full = JSON.parse(text) as { type: string; auction: number; version: number; at: string; bidId?: number };
      expect(read(text)).toEqual({ type: full.type, auction: full.auction, version: full.version, at: Date.parse(full.at), bidId: full.bidId ?? NaN });
    }
  });

  it('reads every hour of a run right, the hour it read last or not', () => {
    for (const at of ['2026-11-25T17:08:04.937Z', '2026-11-25T17:59:59.999Z', '2026-11-25T18:00:00.000Z', '2026-11-25T17:00:00.001Z', '2027-01-01T00:00:00.000Z']) {
      expect(read(`{"at":"${at}","type":"bid","bidId":1,"auction":1,"version":1}`)?.at).toBe(Date.parse(at));
    }
  });

  it('leaves a snapshot (whose nested state has its own version and a free title) to a full parse', () => {
    expect(read(JSON.stringify({ type: 'snapshot', auction: 7, version: 41, state: { id: 7, title: '"version":99', version: 41 } }))).toBeUndefined();
    expect(read(JSON.stringify({ type: 'bid', state: { auction: 7, version: 41 } }))).toBeUndefined();
  });

  it('reads nothing from frames that are not events', () => {
    expect(read('{"type":"welcome","daemonId":"3f9a0c1e","version":"0.1.0","userId":null}')).toBeUndefined();
    expect(read('{"type":"subscribed","auctions":[7,9]}')).toBeUndefined();
    expect(read('{"type":"error","code":"NOT_FOUND","auction":7}')).toBeUndefined();
  });
});

describe('watchList', () => {
  it('gives each user the asked number of distinct auctions, the same each time', () => {
    const auctions = Array.from({ length: 100 }, (_, i) => 1000 + i);
    const a = watchList(3, auctions, 20);
    expect(new Set(a).size).toBe(20);
    expect(a.every((x) => auctions.includes(x))).toBe(true);
    expect(watchList(3, auctions, 20)).toEqual(a);
    expect(watchList(4, auctions, 20)).not.toEqual(a);
  });
});

describe('the knee', () => {
  // An open-loop run with only what the knee reads: commit-to-watcher p99, the delivery faults, and the rate kept.
  const run = (offered: number, p99Ms: number, o: { lost?: number; beforeCommit?: number; answeredPerSec?: number; dropped?: number; mode?: 'multiplexed' | 'per-auction' } = {}) =>
    ({
      mode: o.mode ?? 'multiplexed',
      offeredPerSec: offered,
      deliveries: {
        latency: { count: 1000, p50Ms: 1, p99Ms, p999Ms: p99Ms, maxMs: p99Ms },
        lost: o.lost ?? 0, duplicates: 0, outOfOrder: 0, mismatched: 0, unseen: 0, phantom: 0, incomplete: 0, beforeCommit: o.beforeCommit ?? 0,
      },
      bids: { openLoop: { offeredPerSec: offered, answeredPerSec: o.answeredPerSec ?? offered, dropped: o.dropped ?? 0, unanswered: 0 } },
    }) as unknown as PhaseResult;

  it('is the highest offered rate with commit-to-watcher p99 ≤ 50 ms, nothing lost and the rate kept', () => {
    const runs = [run(100, 12), run(200, 30), run(400, 49.9), run(600, 50.1), run(800, 140)];
    expect(kneeOf(runs)?.offeredPerSec).toBe(400);
    expect(kneeMisses(runs[3]!)).toEqual(['p99 50.1 ms']);
  });

  it('passes over a rate that lost a delivery, saw one before its commit, or was not kept', () => {
    const runs = [run(100, 10), run(200, 10, { lost: 1 }), run(300, 10, { beforeCommit: 2 }), run(400, 10, { answeredPerSec: 370 }), run(500, 10, { dropped: 3 })];
    expect(kneeOf(runs)?.offeredPerSec).toBe(100);
    expect(kneeMisses(runs[1]!)).toEqual(['1 deliveries faulty']);
    expect(kneeMisses(runs[3]!)).toEqual(['rate not kept (93% answered)']);
    expect(kneeMisses(runs[4]!)).toEqual(['rate not kept (100% answered, 3 dropped)']);
  });

  it('is none when no rate is within the bounds, and reads only the multiplexed runs', () => {
    expect(kneeOf([run(100, 80), run(200, 10, { mode: 'per-auction' })])).toBeUndefined();
  });
});

describe('watcherProcessesFor', () => {
  it('takes the processes asked for, and more when their sockets would pass one process\'s open-files limit', () => {
    const perProcess = processOpenFiles() - 100;
    expect(watcherProcessesFor(1000, 2)).toBe(2);
    expect(watcherProcessesFor(3 * perProcess, 2)).toBe(3);
    expect(watcherProcessesFor(3 * perProcess + 1, 2)).toBe(4);
  });
});
