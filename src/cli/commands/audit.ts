// `neighborbid audit`: the daemon's audit; exit code 3 when it is not clean.
import { ExitCode } from '../../protocol/errors.js';
import { formatMoney, groupThousands } from '../../format/money.js';
import { plural } from '../../format/text.js';
import type { Context } from '../context.js';
import { keyValues, table } from '../tables.js';

/** Prints the audit report; leaves with exit code 3 when it found violations. */
export async function audit(ctx: Context): Promise<void> {
  const report = await ctx.admin().audit();
  ctx.print(report, () => {
    const n = report.violations.length;
    const verdict = report.ok
      ? ctx.paint('green', 'Audit clean: every balance, hold and sale agrees with the ledger.')
      : ctx.paint('red', `Audit found ${plural(n, 'violation')}.`);
    const totals = keyValues(
      [
        ['users', groupThousands(report.users)],
        ['auctions', groupThousands(report.auctions)],
        ['ledger rows', groupThousands(report.ledgerRows)],
        ['total deposits', report.totalDeposits === null ? 'out of range' : formatMoney(report.totalDeposits)],
        ['total balances', report.totalBalances === null ? 'out of range' : formatMoney(report.totalBalances)],
      ],
      ctx.paint,
      'right',
    );
    const violations = n
      ? `\n\n${table(
          report.violations,
          [
            { header: 'KIND', value: (v) => v.kind, style: () => 'red' },
            { header: 'USER', align: 'right', value: (v) => (v.userId === undefined ? '' : String(v.userId)) },
            { header: 'AUCTION', align: 'right', value: (v) => (v.auctionId === undefined ? '' : String(v.auctionId)) },
            { header: 'MESSAGE', value: (v) => v.message },
          ],
          ctx.paint,
        )}`
      : '';
    return `${verdict}\n${totals}${violations}`;
  });
  if (!report.ok) {
    ctx.note(`the audit found ${report.violations.length} violation(s)`);
    process.exitCode = ExitCode.rejected;
  }
}
