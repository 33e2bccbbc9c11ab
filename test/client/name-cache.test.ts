// The client's name cache against an in-process daemon: lookups made at once
// share one request, names are asked for once, unknown ids and a daemon that
// cannot answer fall back to ids without ever throwing, and names that would
// pass for a screen's own labels are not shown.
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { NameCache, showableName, type NameSource } from '../../src/client/name-cache.js';
import { NbError } from '../../src/protocol/errors.js';
import { deadUrl } from '../helpers/daemon.js';
import { useDaemon } from '../helpers/fixture.js';
import { nameLookups } from '../helpers/metrics.js';

const file = useDaemon();

/** A name source on the daemon that records the ids of every request it sends. */
function recorded(client: HttpClient = file.daemon.client()): NameSource & { requests: number[][] } {
  const requests: number[][] = [];
  return { requests, users: (ids) => (requests.push([...ids]), client.users(ids)) };
}


async function users(...names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) ids.push((await file.daemon.admin.createUser(name)).id);
  return ids;
}

describe('NameCache', () => {
  it('answers lookups made at once with one request, and never asks for a name twice', async () => {
    const [ada, bo, cyd, dee] = await users('ada', 'bo', 'cyd', 'dee');
    const source = recorded();
    const names = new NameCache(source);
    const before = await nameLookups(file.daemon.url);
    expect([ada, bo, cyd, dee].map((id) => names.name(id!))).toEqual([undefined, undefined, undefined, undefined]);

    const answers = await Promise.all([names.lookup([ada!, bo!]), names.lookup([bo!, cyd!]), names.lookup([dee!, ada!])]);
    expect(answers).toEqual([true, true, true]);
    expect(source.requests).toEqual([[ada, bo, cyd, dee]]);
    expect(await nameLookups(file.daemon.url)).toBe(before + 1);
    expect([ada, bo, cyd, dee].map((id) => names.name(id!))).toEqual(['ada', 'bo', 'cyd', 'dee']);

    // Known names need no request.
    expect(await names.lookup([cyd!, ada!])).toBe(false);
    expect(source.requests).toHaveLength(1);
    expect(await nameLookups(file.daemon.url)).toBe(before + 1);
  });

  it('joins a lookup to the request already asking for its id', async () => {
    const [eve] = await users('eve');
    const source = recorded();
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    // The daemon's answer is held until the second lookup has been made.
    let sent = 0;
    const names = new NameCache({ users: async (ids) => (sent++, await answered, source.users(ids)) });
    const first = names.lookup([eve!]);
    while (sent === 0) await new Promise((r) => setTimeout(r, 1));
    // The first lookup's request is out, unanswered.
    const second = names.lookup([eve!]);
    answer();
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(source.requests).toEqual([[eve]]);
  });

  it('asks for more than 200 ids in requests of 200, and remembers ids that have no user', async () => {
    const [fay] = await users('fay');
    const source = recorded();
    const names = new NameCache(source);
    const missing = Array.from({ length: 249 }, (_, i) => 900_000 + i);
    expect(await names.lookup([...missing, fay!])).toBe(true);
    expect(source.requests.map((r) => r.length)).toEqual([200, 50]);
    expect(names.name(fay!)).toBe('fay');
    expect(names.name(900_000)).toBeUndefined();
    expect(await names.lookup(missing)).toBe(false);
    expect(source.requests).toHaveLength(2);
  });

  it('never throws when the daemon cannot answer: the ids stay unnamed, and are asked for again after a while', async () => {
    const [gus] = await users('gus');
    const down = new HttpClient({ url: await deadUrl() });
    let daemonUp = false;
    const requests: string[] = [];
    const errors: unknown[] = [];
    const names = new NameCache(
      { users: (ids) => (requests.push(daemonUp ? 'up' : 'down'), (daemonUp ? file.daemon.client() : down).users(ids)) },
      { retryAfterMs: 300, onError: (err) => errors.push(err) },
    );
    expect(await names.lookup([gus!])).toBe(false);
    expect(names.name(gus!)).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NbError);
    expect((errors[0] as NbError).code).toBe('UNREACHABLE');
    // Not asked again at once: a screen redrawing does not hammer a daemon that is away.
    daemonUp = true;
    expect(await names.lookup([gus!])).toBe(false);
    expect(requests).toEqual(['down']);
    await new Promise((r) => setTimeout(r, 350));
    expect(await names.lookup([gus!])).toBe(true);
    expect(requests).toEqual(['down', 'up']);
    expect(names.name(gus!)).toBe('gus');
  });

  it('shows by id a user whose name passes for a label, and tells apart two users of one name', async () => {
    const impostors = await users('you', 'YOU', '—', '#3', 'user 5', 'bob#2', 'evil\u202etxt.exe', 'bell\u0085');
    const [bob1, bob2, hal] = await users('bob', 'Bob', 'Halvard Fitzgerald-Montgomery');
    const names = new NameCache(recorded());
    await names.lookup([...impostors, bob1!, bob2!, hal!]);
    expect(impostors.map((id) => names.name(id))).toEqual(impostors.map(() => undefined));
    expect([names.name(bob1!), names.name(bob2!)]).toEqual([`bob#${bob1}`, `Bob#${bob2}`]);
    // Cut to a width, a shared name keeps the id that tells it apart.
    expect(names.name(hal!, 10)).toBe('Halvard F…');
    expect(names.name(bob1!, `#${bob1}`.length + 2)).toBe(`b…#${bob1}`);
    // Names such as these are fine.
    expect(['user5', 'youssef', 'Zoë', '山田太郎', 'A. #1 fan'].every(showableName)).toBe(true);
  });
});
