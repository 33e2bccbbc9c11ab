// Bearer tokens: random, shown once, stored as SHA-256 hashes and compared in
// constant time. User tokens carry their user id so the check is one primary
// key lookup plus a constant-time compare, never a search by secret.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nbError } from '../protocol/errors.js';
import type { Sql } from './db/database.js';
import { StartRefusal } from './start-refusal.js';

export type Principal = { kind: 'admin' } | { kind: 'user'; id: number; name: string };

/** The principal as one key: for idempotency records and rate-limit budgets. */
export function principalKey(p: Principal): string {
  return p.kind === 'admin' ? 'admin' : `user:${p.id}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

export function newUserToken(userId: number): string {
  return `nb_u${userId}_${secret()}`;
}

export function newAdminToken(): string {
  return `nb_admin_${secret()}`;
}

const USER_TOKEN = /^nb_u([1-9]\d{0,15})_[A-Za-z0-9_-]{43}$/;

/** Reads the token from an `Authorization: Bearer …` header value. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * Resolves tokens to principals. Verified user tokens are cached for a short
 * time so a busy bidder costs no database round trip per request.
 */
export class Authenticator {
  private readonly adminHash: Buffer;
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly sql: Sql,
    adminToken: string,
    private readonly cacheMs = 30_000,
  ) {
    this.adminHash = hashToken(adminToken);
  }

  /** The principal for a token, or an UNAUTHORIZED error value. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw nbError('UNAUTHORIZED', { reason: 'missing' });
    const hash = hashToken(token);
    if (timingSafeEqual(hash, this.adminHash)) return { kind: 'admin' };
    const m = USER_TOKEN.exec(token);
    if (!m) throw nbError('UNAUTHORIZED', { reason: 'invalid' });
    const key = hash.toString('base64');
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const id = Number(m[1]);
    const [row] = await this.sql<{ name: string; token_hash: Buffer }[]>`
      SELECT name, token_hash FROM users WHERE id = ${id}`;
    if (!row || row.token_hash.length !== hash.length || !timingSafeEqual(row.token_hash, hash)) {
      throw nbError('UNAUTHORIZED', { reason: 'invalid' });
    }
    const principal: Principal = { kind: 'user', id, name: row.name };
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + this.cacheMs });
    return principal;
  }

  /** Forgets cached tokens of a user whose token was replaced on this daemon. */
  forgetUser(userId: number): void {
    for (const [key, entry] of this.cache) {
      if (entry.principal.kind === 'user' && entry.principal.id === userId) this.cache.delete(key);
    }
  }
}

/** The first character no bearer token can hold (printable ASCII without spaces only), described for a person. */
function unfit(token: string): string | undefined {
  const bad = /[^\x21-\x7e]/.exec(token);
  if (!bad) return undefined;
  const c = bad[0];
  const code = c.codePointAt(0)!;
  const name =
    code === 0 ? 'a NUL byte' :
    c === ' ' ? 'a space' :
    /\s/.test(c) ? `white space (0x${code.toString(16).padStart(2, '0')})` :
    code < 0x20 || code === 0x7f ? `a control character (0x${code.toString(16).padStart(2, '0')})` :
    `U+${code.toString(16).toUpperCase().padStart(4, '0')}, outside printable ASCII`;
  return `${name} at character ${bad.index + 1}`;
}

export interface AdminToken {
  token: string;
  /** Written by this start: the file was missing, or empty. */
  created: boolean;
  /** The file was there but empty (or white space only): a fresh token was written into it. */
  wasEmpty?: true;
}

/**
 * The admin token: NEIGHBORBID_ADMIN_TOKEN when set, else `<dataDir>/admin-token`,
 * created on first start with mode 0600 so only its owner can read it. An
 * empty file gets a fresh token; one holding what no token can hold (a NUL
 * byte, a space inside, a control character) is refused: the admin could
 * never log in with it.
 */
export async function loadAdminToken(file: string, fromEnv: string | undefined): Promise<AdminToken> {
  if (fromEnv) {
    const token = fromEnv.trim();
    if (!token) throw new StartRefusal('NEIGHBORBID_ADMIN_TOKEN is only white space; set it to a token, or unset it to use the admin token file');
    const why = unfit(token);
    if (why) throw new StartRefusal(`NEIGHBORBID_ADMIN_TOKEN holds ${why}; a token is printable ASCII without spaces`);
    return { token, created: false };
  }
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined && text.trim()) {
    const token = text.trim();
    const why = unfit(token);
    if (why) {
      throw new StartRefusal(
        `the admin token file ${file} holds ${why}, so no admin could log in; fix it, or empty it to have a fresh token written`,
      );
    }
    return { token, created: false };
  }
  const token = newAdminToken();
  if (text !== undefined) {
    // There but empty: nothing to keep. Written whole (rename), never half.
    await writeFile(`${file}.tmp`, `${token}\n`, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return { token, created: true, wasEmpty: true };
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': two daemons starting on one data directory agree on one token.
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { token: (await readFile(file, 'utf8')).trim(), created: false };
  }
  await chmod(file, 0o600);
  return { token, created: true };
}
