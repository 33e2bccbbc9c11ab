// One auction's sequencer against a real database: events offered out of
// order, twice, or only hinted at come out once each, in version order, and a
// socket joining while others lag starts exactly where they end up.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Channel, type Subscriber } from '../../../src/daemon/hub/channel.js';
import { OutboxReader } from '../../../src/daemon/hub/outbox-reader.js';
import type { OutboxEvent } from '../../../src/daemon/rules/outcome.js';
import { defaultSocketLimits, type ServerFrame } from '../../../src/protocol/frames.js';
import { useDaemon } from '../../helpers/fixture.js';
import { makeAuctions, makeTrader } from '../../helpers/market.js';
import { waitFor } from '../../helpers/poll.js';
import { RULES_VERSION } from '../../../src/daemon/rules/sql/index.js';

const file = useDaemon();

/** The JSON in one unmasked text frame (ws-frame.ts; its own test checks the framing against ws). */
function payloadOf(frame: Buffer): string {
  const len = frame[1]! & 0x7f;
  return frame.subarray(len < 126 ? 2 : len === 126 ? 4 : 10).toString('utf8');
}

/** An in-memory subscriber: what the channel hands to a socket, decoded. */
function collector(): Subscriber & { frames: ServerFrame[]; versions(): string[] } {
  const frames: ServerFrame[] = [];
  return {
    frames,
    buffered: 0,
    send(frame) {
      frames.push(JSON.parse(payloadOf(frame)) as ServerFrame);
      return true;
    },
    wants: () => true,
    versions: () => frames.map((f) => (f.type === 'snapshot' ? `s${f.version}` : 'version' in f ? String(f.version) : f.type)),
  };
}

/** The real reader, with a gate that holds each snapshot after it was read (to let a socket go meanwhile). */
class GatedReader extends OutboxReader {
  gate: Promise<void> = Promise.resolve();

  override async snapshot(id: number) {
    const snap = await super.snapshot(id);
    await this.gate;
    return snap;
  }
}

async function setup() {
  const { daemon } = file;
  const seller = await makeTrader(daemon.url, daemon.admin, `s${Math.random()}`, 0);
  const bidder = await makeTrader(daemon.url, daemon.admin, `b${Math.random()}`);
  const [lot] = await makeAuctions(seller, 1);
  let amount = 100;
  /** Commits bids straight through the rule, telling nobody; returns their events. */
  const commit = async (n: number) => {
    const bids = Array.from({ length: n }, () => ({ bidderId: bidder.id, amount: (amount += 10) }));
    const [row] = await daemon.context.sql<{ r: { events: OutboxEvent[] } }[]>`
      SELECT nb_place_bids(${lot!.id}, ${daemon.context.sql.json(bids)}, ${RULES_VERSION}) AS r`;
    return row!.r.events.map((e) => e.payload);
  };
  const reader = new GatedReader(daemon.context.sql);
  const idled: Channel[] = [];
  const channel = new Channel(lot!.id, {
    reader,
    limits: defaultSocketLimits,
    log: pino({ level: 'silent' }),
    dispatched: () => {},
    notFound: () => {},
    idle: (c) => idled.push(c),
    stopped: () => false,
  });
  return { channel, commit, reader, idled };
}

/** Resolves after a timer: only if the event loop still turns (a channel spinning on microtasks would starve it). */
const aTurnLater = () => new Promise((r) => setTimeout(r, 50));

describe('Channel', () => {
  it('passes on events offered out of order and twice exactly once, in version order', async () => {
    const { channel, commit } = await setup();
    const sub = collector();
    channel.join(sub, 1, undefined);
    await waitFor(() => sub.frames.length === 1, 10_000, 'snapshot');
    const [e1, e2, e3] = await commit(3);
    channel.offer(e3!);
    channel.offer(e1!);
    channel.offer(e1!);
    channel.offer(e2!);
    channel.offer(e3!);
    await waitFor(() => sub.frames.length === 4, 10_000, 'three events');
    // A sentinel offered after the duplicates: a late copy of any of them would come before or after it, and show.
    const [e4] = await commit(1);
    channel.offer(e4!);
    await waitFor(() => sub.frames.length >= 5, 10_000, 'the sentinel');
    expect(sub.versions()).toEqual(['s0', '1', '2', '3', '4']);
    expect(sub.frames.slice(1)).toEqual([e1, e2, e3, e4]);
  });

  it.each(['hinted', 'offered'] as const)(
    'goes idle, and lets the event loop turn, when its last socket leaves with a newer version %s during the snapshot',
    async (how) => {
      const { channel, commit, reader, idled } = await setup();
      let open!: () => void;
      reader.gate = new Promise((r) => (open = r));
      let wanted = true;
      const sub = { ...collector(), wants: () => wanted };
      channel.join(sub, 1, undefined);
      await aTurnLater(); // the snapshot (version 0) is read and held at the gate
      const [e1] = await commit(1);
      if (how === 'hinted') channel.hint(1);
      else channel.offer(e1!);
      wanted = false;
      channel.leave(sub);
      open();
      await aTurnLater();
      await aTurnLater();
      expect(idled).toEqual([channel]);
      expect(sub.frames).toEqual([]);
    },
  );

  it('fills from the outbox what it was only told about', async () => {
    const { channel, commit } = await setup();
    const sub = collector();
    channel.join(sub, 1, undefined);
    await waitFor(() => sub.frames.length === 1, 10_000, 'snapshot');
    const events = await commit(4);
    channel.hint(4);
    await waitFor(() => sub.frames.length === 5, 10_000, 'four events');
    expect(sub.frames.slice(1)).toEqual(events);
  });

  it('brings lagging subscribers up to a newcomer\'s snapshot before the newcomer starts, and resumes a third after a version', async () => {
    const { channel, commit } = await setup();
    const early = collector();
    channel.join(early, 1, undefined);
    await waitFor(() => early.frames.length === 1, 10_000, 'snapshot');
    const first = await commit(2);
    const late = collector();
    channel.join(late, 1, undefined); // the channel has not heard of versions 1-2
    await waitFor(() => late.frames.length === 1, 10_000, 'late snapshot');
    expect(late.versions()).toEqual(['s2']);
    expect(early.frames.slice(1)).toEqual(first);
    const resumed = collector();
    channel.join(resumed, 1, 1);
    const [e3] = await commit(1);
    channel.offer(e3!);
    await waitFor(() => resumed.frames.length === 2 && early.frames.length === 4 && late.frames.length === 2, 10_000, 'all at 3');
    expect(resumed.versions()).toEqual(['2', '3']);
    expect(early.versions()).toEqual(['s0', '1', '2', '3']);
    expect(late.versions()).toEqual(['s2', '3']);
  });
});
