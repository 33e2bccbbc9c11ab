// `neighborbid me`: who the token belongs to and their money.
import type { Context } from '../context.js';
import { keyValues } from '../output.js';
import { balanceBlock } from '../views.js';

/** Shows the user's name, id, balance, held and available funds. */
export async function me(ctx: Context): Promise<void> {
  const me = await ctx.user().me();
  ctx.print(me, () => `${keyValues([['user', `${me.name} (id ${me.id})`]], ctx.paint)}\n${balanceBlock(me, ctx.paint)}`);
}
