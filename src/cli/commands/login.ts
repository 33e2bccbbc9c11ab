// `neighborbid login` checks a user token with the daemon, then saves it and
// the URL in the config file (mode 0600) for later commands; `logout` forgets it.
import { HttpClient } from '../../client/http-client.js';
import { nbError } from '../../protocol/errors.js';
import { DEFAULT_URL, sameUrl, writeConfig } from '../config.js';
import type { Context } from '../context.js';

/** The token on stdin: its first non-empty line, trimmed. */
async function tokenFromStdin(ctx: Context): Promise<string | undefined> {
  if (process.stdin.isTTY) ctx.note('reading the token from stdin; paste it, then press Enter and Ctrl-D');
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '');
}

/** Verifies the token (`--with-token` from stdin, else `--token`) against the URL with /v1/whoami and saves both. */
export async function login(ctx: Context, opts: { withToken?: boolean }): Promise<void> {
  const token = opts.withToken ? await tokenFromStdin(ctx) : ctx.flags.token;
  if (!token) {
    throw nbError('INVALID_INPUT', { reason: opts.withToken ? 'noTokenOnStdin' : 'loginToken' });
  }
  // The stored URL is kept unless another is given; a stored token is never reused here.
  const url = ctx.flags.url ?? ctx.config().url ?? DEFAULT_URL;
  const who = await new HttpClient({ url, token }).whoami();
  if (who.kind !== 'user') {
    throw nbError('INVALID_INPUT', { reason: 'loginAdmin' });
  }
  // Anything else kept there (where `inbox` stopped) stays.
  writeConfig(ctx.configFile, { ...ctx.config(), url, token });
  ctx.print(
    { url, id: who.id, name: who.name, configFile: ctx.configFile },
    () => `Logged in to ${url} as ${who.name} (user ${who.id}); saved in ${ctx.configFile}.`,
  );
}

/** Removes the saved token for the URL (`--url`, else the saved one); the saved URL stays. */
export async function logout(ctx: Context): Promise<void> {
  const saved = ctx.config();
  const url = ctx.flags.url ?? saved.url ?? DEFAULT_URL;
  const loggedOut = Boolean(saved.token && saved.url && sameUrl(saved.url, url));
  if (loggedOut) writeConfig(ctx.configFile, { url: saved.url });
  if (process.env.NEIGHBORBID_TOKEN) ctx.note('NEIGHBORBID_TOKEN is set in your environment; commands still use that token.');
  const elsewhere = saved.token && saved.url && !loggedOut ? ` (the saved token is for ${saved.url})` : '';
  ctx.print({ url, loggedOut, configFile: ctx.configFile }, () =>
    loggedOut
      ? `Logged out of ${url}; its token is removed from ${ctx.configFile}.`
      : `No token is saved for ${url}${elsewhere}; nothing to remove.`,
  );
}
