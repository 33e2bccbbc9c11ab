// `neighborbid me`: who the token belongs to and their money.
import type { Context } from '../context.js';
import { balanceBlock } from '../views.js';

/** Shows the user's name, id, balance, held and available funds. */
export async function me(ctx: Context): Promise<void> {
  const me = await ctx.user().me();
  ctx.print(me, () => balanceBlock(me, ctx.paint, [['user', `${me.name} (id ${me.id})`]]));
}
