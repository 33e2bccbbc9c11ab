// `neighborbid watch` through HAProxy survives a kill -9 of the daemon it is
// connected to: it says so on stderr, comes back through HAProxy on another
// daemon and resumes from the last event it printed, with no gap or repeat.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, stoppedAfterEach } from '../helpers/cli.js';
import { socketsOn, useCluster } from '../helpers/cluster.js';
import { tempDir } from '../helpers/daemon.js';
import { waitFor } from '../helpers/poll.js';
import { seedAuction, seedUser } from '../helpers/seed.js';

const c = useCluster();
const running = stoppedAfterEach();

describe('neighborbid watch behind HAProxy', () => {
  it('survives a kill -9 of its daemon and resumes on another without a gap or a repeat', async () => {
    const seller = await seedUser(c);
    const [x, y] = [await seedUser(c, 10_000), await seedUser(c, 10_000)];
    const lot = await seedAuction(seller, { startPrice: 1000, minIncrement: 100 });
    const home = await tempDir('nb-cluster-home-');
    try {
      const env = { HOME: home.path, XDG_CONFIG_HOME: join(home.path, 'config'), XDG_DATA_HOME: join(home.path, 'data') };
      const w = spawnCli(['watch', String(lot.id), '--json', '--url', c.url], env);
      running.push(w);
      await w.waitForLines(/"type":"snapshot"/);
      // The one daemon that has its socket: the one to kill.
      const holder = await waitFor(async () => {
        const counts = await Promise.all(c.daemons.map(socketsOn));
        return counts.reduce((s, n) => s + n, 0) === 1 ? c.daemons[counts.indexOf(1)] : undefined;
      }, 30_000, 'the watch socket on one daemon');
      await holder.kill('SIGKILL');
      await w.waitForStderr(/connection lost/);

      // Bids go on through HAProxy while the watcher is away, and after it is back.
      await x.clientFor(c.url).bid(lot.id, 1000);
      await y.clientFor(c.url).bid(lot.id, 1100);
      await w.waitForStderr(/live again/);
      await x.clientFor(c.url).bid(lot.id, 1200);
      const events = (await w.waitForLines(/"type":"bid"/, 3)).map((l) => JSON.parse(l) as { version: number; amount: number });
      expect(events.map((e) => [e.version, e.amount])).toEqual([
        [1, 1000],
        [2, 1100],
        [3, 1200],
      ]);
      const elsewhere = await Promise.all(c.daemons.filter((d) => d !== holder).map(socketsOn));
      expect(elsewhere.reduce((s, n) => s + n, 0)).toBe(1);

      const r = await w.stop('SIGINT');
      expect(r.code).toBe(130);
      const types = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
      expect(types.filter((t) => t !== 'presence')).toEqual(['snapshot', 'bid', 'bid', 'bid']);
      expect(r.stderr).toMatch(/^neighborbid: connection lost \(.*\); reconnecting…\n(neighborbid: still reconnecting .*\n)*neighborbid: live again; resuming 1 auction from the last event seen\n$/);
      await holder.start();
    } finally {
      await home.remove();
    }
  });
});
