// `neighborbid inbox` as a real process against a real daemon: an outbid user
// who had no socket open finds the outbid; the next run shows only what is new
// (the position is in the config file, per URL and user); --json is NDJSON;
// --follow prints new events as they come; a pruned stretch is said on stderr.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneInbox } from '../../src/daemon/rules/inbox.js';
import type { InboxEvent } from '../../src/protocol/inbox.js';
import { as, stoppedAfterEach, useCliFixture, useCliUser } from '../helpers/cli.js';
import { waitFor } from '../helpers/poll.js';

const f = useCliFixture();
const seller = useCliUser(f, 'carol');
const running = stoppedAfterEach();

const savedPositions = () =>
  (JSON.parse(readFileSync(join(f.env.XDG_CONFIG_HOME!, 'neighborbid', 'config.json'), 'utf8')) as { inbox: Record<string, number> }).inbox;
const ndjson = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as InboxEvent);

async function outbidScene(tag: string) {
  const ann = await f.daemon.admin.createUser(`ann-${tag}`, 1000);
  const bob = await f.daemon.admin.createUser(`bob-${tag}`, 1000);
  const lot = await f.daemon.client(seller.token).createAuction({ title: `Brass lamp ${tag}`, startPrice: 100, minIncrement: 10, durationSec: 3600 });
  await f.daemon.client(ann.token).bid(lot.id, 100);
  await f.daemon.client(bob.token).bid(lot.id, 150);
  return { ann, bob, lot };
}

describe('neighborbid inbox', () => {
  it('shows an outbid user with no socket open what happened, then only what is new', async () => {
    const { ann, lot } = await outbidScene('a');
    const first = await f.run(['inbox'], as(ann));
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toBe('While you were away (ever): outbid once, 2 balance changes.');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(new RegExp(`#${lot.id}\\s+Brass lamp a\\s+outbid\\s+150\\s+bob-a\\s+private: you were outbid, your hold of 100 released`));
    expect(lines[3]).toMatch(/balance .*private: balance 1,000, held 0, available 1,000/);
    expect(Object.entries(savedPositions())).toContainEqual([`${new URL(f.daemon.url).href} user ${ann.id}`, 3]);

    const again = await f.run(['inbox'], as(ann));
    expect(again).toMatchObject({ code: 0, stdout: 'Nothing new since #3.\n' });

    await f.daemon.admin.deposit(ann.id, 25);
    const json = await f.run(['inbox', '--json'], as(ann));
    expect(json.code, json.stderr).toBe(0);
    expect(ndjson(json.stdout)).toEqual([{ seq: 4, type: 'balance', userId: ann.id, balance: 1025, held: 0, available: 1025, at: expect.any(String) }]);
    const all = await f.run(['inbox', '--json', '--after', '0'], as(ann));
    expect(ndjson(all.stdout).map((e) => `${e.seq}:${e.type}`)).toEqual(['1:balance', '2:outbid', '3:balance', '4:balance']);
    expect(ndjson(all.stdout)).toEqual((await f.daemon.client(ann.token).inbox(0)).events);
  });

  it('--follow prints new events as they commit, from where the last run stopped, and saves as it goes', async () => {
    const { ann, bob, lot } = await outbidScene('b');
    expect((await f.run(['inbox'], as(ann))).code).toBe(0);
    // One before it starts (read over HTTP), the others once its socket is up (pushed on it).
    await f.daemon.client(ann.token).bid(lot.id, 200);
    const sockets = f.daemon.sockets.hub.size;
    const follow = f.spawn(['inbox', '--follow', '--json'], as(ann));
    running.push(follow);
    await follow.waitForLines((l) => l.includes('"seq":4'));
    await waitFor(async () => f.daemon.sockets.hub.size > sockets, 10_000, 'its socket');
    await f.daemon.client(bob.token).bid(lot.id, 250);
    const { balance } = await f.daemon.admin.deposit(ann.id, 1);
    await follow.waitForLines((l) => l.includes(`"balance":${balance}`));
    const exit = await follow.stop('SIGINT');
    expect(exit.code).toBe(130);
    const events = ndjson(exit.stdout);
    expect(events.map((e) => `${e.seq}:${e.type}`)).toEqual(['4:balance', '5:outbid', '6:balance', '7:balance']);
    expect(events).toEqual((await f.daemon.client(ann.token).inbox(3)).events);
    expect(savedPositions()[`${new URL(f.daemon.url).href} user ${ann.id}`]).toBe(7);
  });

  it('says on stderr when events since the last look are no longer kept', async () => {
    const dan = await f.daemon.admin.createUser('dan', 0);
    for (let i = 1; i <= 4; i++) await f.daemon.admin.deposit(dan.id, i);
    await pruneInbox(f.daemon.context.sql, { days: 30, events: 2 });
    const r = await f.run(['inbox', '--json', '--after', '1'], as(dan));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/some events after #1 are no longer kept \(the daemon keeps 30 days and the newest 1,000 per user\); showing from the oldest kept/);
    expect(ndjson(r.stdout).map((e) => e.seq)).toEqual([3, 4]);
  });

  it('needs a user token, and refuses the admin one', async () => {
    const none = await f.run(['inbox'], {});
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/UNAUTHORIZED/);
    const admin = await f.run(['inbox', '--json'], { NEIGHBORBID_TOKEN: f.daemon.adminToken });
    expect(admin.code).toBe(5);
    expect(JSON.parse(admin.stdout)).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});
