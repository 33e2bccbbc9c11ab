// The README's bidding-war script, run exactly as written with `neighborbid`
// on the PATH, against a daemon whose admin token sits in the data directory.
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, startCliFixture, type CliFixture } from '../helpers/cli.js';
import { BIN, tempDir } from '../helpers/daemon.js';

let f: CliFixture;

beforeAll(async () => {
  f = await startCliFixture();
});

afterAll(async () => {
  await f?.close();
});

/** The sh block that follows the "run as written" marker in the README. */
async function readmeScript(): Promise<string> {
  const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const m = /<!-- This script is run as written by test\/e2e\/cli-readme\.test\.ts\. -->\n```sh\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('the README has no script after the test marker');
  return m[1]!;
}

describe('the README script', () => {
  it('creates a seller and two bidders who outbid each other, one by a maximum, shows the auction and watches it until it is sold', async () => {
    const dir = await tempDir('nb-cli-readme-');
    try {
      await symlink(BIN, join(dir.path, 'neighborbid'));
      const script = join(dir.path, 'bidding-war.sh');
      await writeFile(script, await readmeScript());
      const { code, stdout, stderr } = await runProcess('sh', [script], {
        cwd: dir.path,
        env: { ...f.env, PATH: `${dir.path}:${process.env.PATH}` },
      });

      expect(stderr).toBe('neighborbid: BID_TOO_LOW: The bid is below the minimum next bid of 1,600.\n');
      expect(code).toBe(0);
      const bids = stdout.split('\n').filter((l) => l.startsWith('Bid '));
      expect(bids.map((l) => /^Bid \d+: ([\d,]+) on auction \d+ "Brass lamp"\. (You lead|The leader is \w+)/.exec(l)?.slice(1, 3))).toEqual([
        ['1,000', 'You lead'],
        ['1,100', 'You lead'],
        ['1,500', 'You lead'],
        // Alice's 2,000 is answered at once by Bob's maximum, and the answer names him.
        ['2,000', 'The leader is bob'],
      ]);
      expect(stdout).toMatch(/\nMaximum 3,000 on auction \d+ "Brass lamp": you lead at 1,600, your max 3,000; it bids for you up to that; /);
      expect(stdout).toMatch(/\n *\d+  Brass lamp +3,000  2,100  leading +in \d/);
      expect(stdout).toContain('bob was refused (exit code 3)\n');
      expect(stdout).toContain('bob leads at 2100\n');

      const { auctions } = await f.daemon.client().listAuctions({ status: 'all' });
      expect(auctions).toHaveLength(1);
      const lamp = auctions[0]!;
      const users = await f.daemon.admin.audit();
      expect(users).toMatchObject({ ok: true, users: 3, totalDeposits: 20_000 });
      // The script ended after the watch, so the lamp has been sold to bob.
      expect(lamp).toMatchObject({ title: 'Brass lamp', currentPrice: 2100, bidCount: 6, softCloseSec: 3, status: 'closed' });
      // bob leads, and the human output below names him.
      expect(await f.daemon.client().user(lamp.leaderId!)).toEqual({ id: lamp.leaderId, name: 'bob' });
      expect(stdout).toContain(`Auction ${lamp.id}: Brass lamp\n`);
      expect(stdout).toContain('price         2,100 (leader bob, 6 bids)\n');
      expect(stdout).toContain('next minimum  2,200\n');

      // The watch, last: the lamp as it stood, then its close. (On a very slow
      // machine the lamp may have ended before the watch began; its one line says so.)
      const time = '\\d\\d:\\d\\d:\\d\\d';
      const lines = stdout.split('\n').filter((l) => new RegExp(`^${time}  #`).test(l));
      // How many watch comes when it changes, at its own time: only this watch watches.
      const watched = lines.filter((l) => !/ audience /.test(l));
      for (const l of lines.filter((x) => / audience /.test(x))) expect(l).toMatch(new RegExp(`^${time}  #${lamp.id}  Brass lamp  audience +1 watching$`));
      const live = [
        expect.stringMatching(new RegExp(`^${time}  #${lamp.id}  Brass lamp  watching   2,100  bob     open, 6 bids, next bid 2,200, ends ${time}$`)),
        expect.stringMatching(new RegExp(`^${time}  #${lamp.id}  Brass lamp  closed     2,100  bob     won by bob$`)),
      ];
      const late = [expect.stringMatching(new RegExp(`^${time}  #${lamp.id}  Brass lamp  watching   2,100  bob     already ended, won by bob$`))];
      expect([live, late]).toContainEqual(watched);
      expect(stdout.endsWith(`${lines[lines.length - 1]}\n`)).toBe(true);
    } finally {
      await dir.remove();
    }
  });
});
