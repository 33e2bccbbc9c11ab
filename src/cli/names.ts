// Names in the CLI's output for people: the users a command shows are looked
// up together, in one request (none with --json, which prints the API's
// objects as they are). A user whose name cannot be had is written by id.
import { HttpClient } from '../client/http-client.js';
import { NameCache } from '../client/name-cache.js';
import type { Context } from './context.js';
import { byId, byName, type Who } from './views.js';

/** A name lookup waits at most this long; then the output shows ids. */
const LOOKUP_TIMEOUT_MS = 3000;

/** A name cache on the command's daemon; a failed lookup is only mentioned with --verbose. */
export function nameCache(ctx: Context): NameCache {
  const client = new HttpClient({ url: ctx.identity().url, timeoutMs: LOOKUP_TIMEOUT_MS });
  return new NameCache(client, {
    onError: (err) => ctx.verbose && ctx.note(`could not look up names (${(err as Error).message}); showing ids`),
  });
}

/** Looks up the users among `ids` in one request; resolves with how to write them (by id with --json). */
export async function namesOf(ctx: Context, ids: Iterable<number | null>, max?: number): Promise<Who> {
  if (ctx.json) return byId;
  const names = nameCache(ctx);
  await names.lookup([...ids].filter((id): id is number => id !== null));
  return byName(names, null, max);
}
