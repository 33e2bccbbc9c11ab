// Users and deposits: the admin's side of money (every change to a balance is
// a ledger row in the same transaction), a user's own balance, and the one
// thing anyone may read about a user: their name.
import { nbError } from '../../protocol/errors.js';
import type { CreateUserBody } from '../../protocol/schemas.js';
import type { Balance, CreatedUser, Me, UserList, UserName } from '../../protocol/types.js';
import { hashToken, newUserToken } from '../auth.js';
import { sqlArray, type Sql, type TxSql } from '../db/database.js';
import { idempotentTx, type IdempotencyContext } from './idempotency.js';
import type { Outcome } from './outcome.js';
import type { Publisher } from './publisher.js';

interface UserRow {
  id: number;
  name: string;
  balance: number;
  held: number;
}

/**
 * Books a deposit already added to the user's balance: its ledger row, then the
 * money supply (lock order: the user row, then the supply row, last so it is held briefly).
 */
async function recordDeposit(sp: TxSql, userId: number, amount: number): Promise<void> {
  await sp`
    INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held)
    VALUES (${userId}, 'deposit', ${amount}, ${amount}, 0)`;
  await sp`UPDATE money_supply SET total = total + ${amount}`;
}

const toBalance = (u: UserRow): Balance => ({
  id: u.id,
  balance: u.balance,
  held: u.held,
  available: u.balance - u.held,
});

/**
 * Creates a user with an optional opening balance. The token is returned only
 * in this answer; a replay of the same Idempotency-Key answers with `token: null`
 * because only the token's hash is ever stored.
 */
export async function createUser(sql: Sql, body: CreateUserBody, idem: IdempotencyContext): Promise<Outcome> {
  let token: string | null = null;
  const outcome = await idempotentTx(sql, idem, 201, async (sp) => {
    const [row] = await sp<{ id: number }[]>`SELECT nextval('users_id_seq') AS id`;
    const id = row!.id;
    token = newUserToken(id);
    const balance = body.balance ?? 0;
    await sp`
      INSERT INTO users (id, name, token_hash, balance)
      VALUES (${id}, ${body.name}, ${hashToken(token)}, ${balance})`;
    if (balance > 0) await recordDeposit(sp, id, balance);
    const user: Omit<CreatedUser, 'token'> & { token: null } = { id, name: body.name, balance, token: null };
    return user;
  });
  if (outcome.replayed || outcome.status !== 201) return outcome;
  return { ...outcome, body: { ...(outcome.body as object), token } };
}

/** Adds money to a user's balance; answers with the new balance. */
export async function deposit(
  sql: Sql,
  publisher: Publisher,
  userId: number,
  amount: number,
  idem: IdempotencyContext,
): Promise<Outcome> {
  const outcome = await idempotentTx(sql, idem, 200, async (sp) => {
    const [user] = await sp<UserRow[]>`
      UPDATE users SET balance = balance + ${amount}
       WHERE id = ${userId}
      RETURNING id, name, balance, held`;
    if (!user) throw nbError('NOT_FOUND', { user: userId });
    await recordDeposit(sp, userId, amount);
    // Into the user's inbox under the row lock just taken (migration 005): no auction event carries it.
    await sp`
      SELECT nb_inbox_append(ARRAY[u.id], ARRAY[jsonb_build_object('type', 'balance', 'userId', u.id,
               'balance', u.balance, 'held', u.held, 'available', u.balance - u.held, 'at', nb_iso(t.at))], ARRAY[t.at])
        FROM users u, (SELECT clock_timestamp() AS at) t
       WHERE u.id = ${userId}`;
    return toBalance(user);
  });
  if (outcome.status === 200 && !outcome.replayed) {
    const b = outcome.body as Balance;
    publisher.publishBalances([{ userId: b.id, balance: b.balance, held: b.held }]);
  }
  return outcome;
}

/** Replaces a user's token (the old one stops working); the new one is shown once. */
export async function rotateToken(sql: Sql, userId: number): Promise<Outcome> {
  const token = newUserToken(userId);
  const [user] = await sql<{ id: number; name: string }[]>`
    UPDATE users SET token_hash = ${hashToken(token)} WHERE id = ${userId} RETURNING id, name`;
  if (!user) throw nbError('NOT_FOUND', { user: userId });
  return { status: 200, body: { id: user.id, name: user.name, token } };
}

/** The caller's own balance and holds. */
export async function getMe(sql: Sql, userId: number): Promise<Me> {
  const [user] = await sql<UserRow[]>`SELECT id, name, balance, held FROM users WHERE id = ${userId}`;
  if (!user) throw nbError('NOT_FOUND', { user: userId });
  return { ...toBalance(user), name: user.name };
}

/** A user's public face: id and name, never money. */
export async function getUserName(sql: Sql, userId: number): Promise<UserName> {
  const [user] = await sql<UserName[]>`SELECT id, name FROM users WHERE id = ${userId}`;
  if (!user) throw nbError('NOT_FOUND', { user: userId });
  return { id: user.id, name: user.name };
}

/** The names of the users that exist among `ids`, in the order asked; the others are left out. */
export async function getUserNames(sql: Sql, ids: readonly number[]): Promise<UserList> {
  const users = await sql<UserName[]>`
    SELECT u.id, u.name
      FROM unnest(${sqlArray(ids)}::bigint[]) WITH ORDINALITY AS q(id, i)
      JOIN users u ON u.id = q.id
     ORDER BY q.i`;
  return { users: users.map((u) => ({ id: u.id, name: u.name })) };
}
