// Where the CLI finds the daemon and who it is: flags, then environment, then
// the config file written by `neighborbid login`, then defaults. The admin
// token comes from the environment or the daemon's data directory.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { nbError } from '../protocol/errors.js';
import { adminTokenFile, defaultDataDir } from '../daemon/paths.js';

export const DEFAULT_URL = 'http://127.0.0.1:7700';

/** What `neighborbid login` stores, and where `inbox` and the TUI stopped reading private events. */
export interface CliConfig {
  url?: string;
  token?: string;
  /** The last private event seq seen, by daemon URL and user (see inboxKey). */
  inbox?: Record<string, number>;
}

/** `$XDG_CONFIG_HOME/neighborbid/config.json`, else `~/.config/neighborbid/config.json`. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'neighborbid', 'config.json');
}

/** Reads the config file; a missing file is an empty config, a broken one a usage error. */
export function readConfig(file: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw nbError('INVALID_INPUT', { reason: 'configUnreadable', file, problem: (err as Error).message });
  }
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const inbox = Object.entries(typeof raw.inbox === 'object' && raw.inbox !== null ? raw.inbox : {}).filter(
      (e): e is [string, number] => Number.isSafeInteger(e[1]) && (e[1] as number) >= 0,
    );
    return {
      url: typeof raw.url === 'string' ? raw.url : undefined,
      token: typeof raw.token === 'string' ? raw.token : undefined,
      ...(inbox.length > 0 ? { inbox: Object.fromEntries(inbox) } : {}),
    };
  } catch {
    throw nbError('INVALID_INPUT', { reason: 'configJson', file });
  }
}

/** Writes the config file readable by its owner only (0600), replacing it atomically. */
export function writeConfig(file: string, config: CliConfig): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Two URLs name the same daemon when they normalise to the same text. */
export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/**
 * The daemon URL and user token to use. The stored token is sent only to the
 * URL it was stored for, so pointing `--url` elsewhere never leaks it.
 */
export function resolveIdentity(
  flags: { url?: string | undefined; token?: string | undefined },
  config: CliConfig,
): { url: string; token: string | undefined } {
  const url = flags.url ?? config.url ?? DEFAULT_URL;
  const token = flags.token ?? (config.token && config.url && sameUrl(config.url, url) ? config.token : undefined);
  return { url, token };
}

/** Where a user's inbox position is kept in the config: the daemon's normalised URL and the user id. */
export function inboxKey(url: string, userId: number): string {
  let base = url;
  try {
    base = new URL(url).href;
  } catch {
    // An unparsable URL is its own key.
  }
  return `${base} user ${userId}`;
}

/** The last private event seq the CLI or TUI showed this user of this daemon, if any. */
export function inboxPosition(config: CliConfig, url: string, userId: number): number | undefined {
  return config.inbox?.[inboxKey(url, userId)];
}

/** Remembers the last private event seq shown; reads the file again first, so nothing else in it is lost. */
export function saveInboxPosition(file: string, url: string, userId: number, seq: number): void {
  const config = readConfig(file);
  const key = inboxKey(url, userId);
  if (config.inbox?.[key] === seq) return;
  writeConfig(file, { ...config, inbox: { ...config.inbox, [key]: seq } });
}

/**
 * The admin token: `NEIGHBORBID_ADMIN_TOKEN`, else the `admin-token` file in the
 * daemon's data directory (`--data-dir`, `NEIGHBORBID_DATA_DIR` or the default).
 */
export function readAdminToken(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.NEIGHBORBID_ADMIN_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const file = adminTokenFile(dataDir ?? defaultDataDir(env));
  let token = '';
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    const problem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (err as Error).message;
    throw nbError('UNAUTHORIZED', { reason: 'noAdminToken', file, ...(problem === undefined ? {} : { problem }) });
  }
  if (!token) throw nbError('UNAUTHORIZED', { reason: 'emptyAdminToken', file });
  return token;
}
