// `neighborbid user create | deposit | token`: admin operations on users.
import { formatMoney } from '../../format/money.js';
import type { Context } from '../context.js';
import { keyValues } from '../tables.js';
import { balanceBlock } from '../views.js';

/** Creates a user and prints their token (shown only this once). */
export async function createUser(ctx: Context, name: string, opts: { balance?: number; quiet?: boolean }): Promise<void> {
  const user = await ctx.admin().createUser(name, opts.balance);
  ctx.print(user, () =>
    opts.quiet
      ? user.token
      : `${ctx.paint('bold', `Created user ${user.id}.`)}\n${keyValues(
          [
            ['id', String(user.id)],
            ['name', user.name],
            ['balance', formatMoney(user.balance)],
            ['token', user.token],
          ],
          ctx.paint,
        )}\nThe token is shown only this once: keep it (e.g. in a file, for neighborbid login --with-token < file).`,
  );
}

/** Adds money to a user's balance and prints the new balance. */
export async function deposit(ctx: Context, id: number, amount: number): Promise<void> {
  const balance = await ctx.admin().deposit(id, amount);
  ctx.print(
    balance,
    () => `${ctx.paint('bold', `Deposited ${formatMoney(amount)} to user ${id}.`)}\n${balanceBlock(balance, ctx.paint)}`,
  );
}

/** Issues a new token for a user; the old one stops working. */
export async function rotateToken(ctx: Context, id: number, opts: { quiet?: boolean }): Promise<void> {
  const user = await ctx.admin().rotateToken(id);
  ctx.print(user, () =>
    opts.quiet
      ? user.token
      : `${ctx.paint('bold', `New token for user ${user.id} (${user.name}); the old one no longer works.`)}\n${keyValues(
          [['token', user.token]],
          ctx.paint,
        )}`,
  );
}
