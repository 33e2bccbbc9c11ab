// `neighborbid login`: checks a user token with the daemon, then saves it and
// the URL in the config file (mode 0600) for later commands.
import { HttpClient } from '../../client/http-client.js';
import { nbError } from '../../protocol/errors.js';
import { DEFAULT_URL, writeConfig } from '../config.js';
import type { Context } from '../context.js';

/** Verifies `--token` against `--url` with /v1/whoami and saves both. */
export async function login(ctx: Context): Promise<void> {
  const token = ctx.flags.token;
  if (!token) throw nbError('INVALID_INPUT', 'Give the token to save: neighborbid login --token <token> [--url <url>].');
  // The stored URL is kept unless another is given; a stored token is never reused here.
  const url = ctx.flags.url ?? ctx.config().url ?? DEFAULT_URL;
  const who = await new HttpClient({ url, token }).whoami();
  if (who.kind !== 'user') {
    throw nbError(
      'INVALID_INPUT',
      'That is the admin token; it is not saved. Admin commands find it by themselves (NEIGHBORBID_ADMIN_TOKEN or the data directory).',
    );
  }
  // Anything else kept there (where `inbox` stopped) stays.
  writeConfig(ctx.configFile, { ...ctx.config(), url, token });
  ctx.print(
    { url, id: who.id, name: who.name, configFile: ctx.configFile },
    () => `Logged in to ${url} as ${who.name} (user ${who.id}); saved in ${ctx.configFile}.`,
  );
}
