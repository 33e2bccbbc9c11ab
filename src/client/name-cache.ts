// User ids → the names people know each other by, for the screens of the TUI
// and the CLI (events and auctions carry ids only: the bid path stays lean).
// Names never change, so each id is asked for once; lookups made in the same
// turn of the event loop share one request (`GET /v1/users?ids=…`, at most 200
// ids each); a failed request is never thrown at the caller, whose screen keeps
// showing the id and may ask again after a while.
import { truncate } from '../format/text.js';
import { MAX_USER_IDS, type UserList } from '../protocol/types.js';

/** Where names come from: the HTTP client, or a test's stand-in for it. */
export interface NameSource {
  users(ids: readonly number[]): Promise<UserList>;
}

export interface NameCacheOptions {
  /** How long after a failed request its ids are not asked for again (default 15 s). */
  retryAfterMs?: number;
  /** Told of each failed request (for --verbose); whatever it does, the caller never sees the error. */
  onError?: (err: unknown) => void;
}

/**
 * Names that would pass for a label the screens make themselves ("you", "—",
 * "#4", "user 4", or "bob#4", which tells apart two users called bob), or that
 * hold C1 controls or bidirectional overrides (which reorder or restyle the
 * rest of a terminal line): such a user is shown by id, so nobody can pose as
 * "you" or as another user.
 */
const IMPOSTOR = /^(you|—|-|user\s+\d+)$|#\d+$|[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/i;

export function showableName(name: string): boolean {
  return name.trim() !== '' && !IMPOSTOR.test(name.trim());
}

const bearerKey = (name: string) => name.trim().toLowerCase();

interface Batch {
  ids: Set<number>;
  done: Promise<void>;
}

/** What shows a user needs of the cache: the name to show for an id, if known (tests give a plain object). */
export type NameBook = Pick<NameCache, 'name'>;

export class NameCache {
  private readonly names = new Map<number, string>();
  /** How many known users bear each name, whatever its case: two bobs are shown as bob#4 and Bob#9. */
  private readonly bearers = new Map<string, number>();
  /** Ids without a name to show, until a time: no such user or an impostor's name (for ever), a failed request (a while). */
  private readonly blank = new Map<number, number>();
  /** Ids in a request (or one about to go) and the promise that settles when it is answered. */
  private readonly pending = new Map<number, Promise<void>>();
  private batch: Batch | null = null;
  private readonly retryAfterMs: number;

  constructor(
    private readonly source: NameSource,
    private readonly options: NameCacheOptions = {},
  ) {
    this.retryAfterMs = options.retryAfterMs ?? 15_000;
  }

  /**
   * The name to show for a user, at most `max` characters (a name shared by
   * several known users keeps its `#id`), or undefined while none is known:
   * the caller shows the id instead.
   */
  name(id: number, max = Infinity): string | undefined {
    const name = this.names.get(id);
    if (name === undefined) return undefined;
    if ((this.bearers.get(bearerKey(name)) ?? 0) < 2) return truncate(name, max);
    const tag = `#${id}`;
    return `${truncate(name, Math.max(2, max - tag.length))}${tag}`;
  }

  /**
   * Asks for the names not known yet; resolves once they are answered (never
   * rejects), with true when any of these ids has a name now. Lookups made in
   * the same turn of the event loop go out as one request.
   */
  lookup(ids: Iterable<number>): Promise<boolean> {
    const asked: number[] = [];
    const waits = new Set<Promise<void>>();
    const now = Date.now();
    for (const id of ids) {
      if (this.names.has(id) || (this.blank.get(id) ?? 0) > now) continue;
      asked.push(id);
      waits.add(this.pending.get(id) ?? this.enqueue(id));
    }
    if (waits.size === 0) return Promise.resolve(false);
    return Promise.all(waits).then(() => asked.some((id) => this.names.has(id)));
  }

  private enqueue(id: number): Promise<void> {
    if (!this.batch) {
      const ids = new Set<number>();
      // A timer, not a microtask: everything asked for while this turn's events are handled joins in.
      const done = new Promise<void>((resolve) =>
        setTimeout(() => {
          this.batch = null;
          void this.send([...ids]).then(resolve);
        }, 0),
      );
      this.batch = { ids, done };
    }
    this.batch.ids.add(id);
    this.pending.set(id, this.batch.done);
    return this.batch.done;
  }

  private async send(ids: number[]): Promise<void> {
    const chunks: number[][] = [];
    for (let i = 0; i < ids.length; i += MAX_USER_IDS) chunks.push(ids.slice(i, i + MAX_USER_IDS));
    await Promise.all(chunks.map((chunk) => this.ask(chunk)));
  }

  private async ask(ids: number[]): Promise<void> {
    try {
      const answer = await this.source.users(ids);
      const asked = new Set(ids);
      for (const u of Array.isArray(answer?.users) ? answer.users : []) {
        if (asked.has(u?.id) && typeof u.name === 'string') this.learn(u.id, u.name);
      }
      // The daemon leaves out ids without a user; there is no name to wait for.
      for (const id of ids) if (!this.names.has(id)) this.blank.set(id, Infinity);
    } catch (err) {
      const until = Date.now() + this.retryAfterMs;
      for (const id of ids) this.blank.set(id, until);
      try {
        this.options.onError?.(err);
      } catch {
        // A reporter that fails must not break the screen either.
      }
    } finally {
      for (const id of ids) this.pending.delete(id);
    }
  }

  private learn(id: number, name: string): void {
    if (this.names.has(id)) return;
    if (!showableName(name)) return;
    this.names.set(id, name);
    const key = bearerKey(name);
    this.bearers.set(key, (this.bearers.get(key) ?? 0) + 1);
  }
}
