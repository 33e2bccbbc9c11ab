// The TUI against a real daemon over a real socket: the App rendered with
// ink-testing-library, and `neighborbid tui` as a process in a pseudo-terminal.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { HttpClient } from '../../src/client/http-client.js';
import { connectSocket } from '../../src/tui/data/connect-socket.js';
import { LiveBoardSource } from '../../src/tui/data/live-source.js';
import { BIN, tempDir } from '../helpers/daemon.js';
import { useDaemon } from '../helpers/fixture.js';
import { lineWith, renderApp } from '../helpers/ink.js';
import { pollUntil } from '../helpers/poll.js';

const file = useDaemon();
afterAll(() => cleanup());

let lots = 0;

/** A seller's auction (with a title no other test uses), a viewer and a rival bidder. */
async function market() {
  const { daemon } = file;
  const title = `Brass lamp ${++lots}`;
  const seller = await daemon.admin.createUser('seller');
  const viewer = await daemon.admin.createUser('viewer', 10_000);
  const rival = await daemon.admin.createUser('rival', 10_000);
  const lamp = await daemon.client(seller.token).createAuction({ title, startPrice: 100, minIncrement: 10, durationSec: 600 });
  return { viewer, rival, lamp, title };
}

/** The real App on a real socket and HTTP client, as the token's user. */
function liveApp(token: string) {
  const { daemon } = file;
  const source = new LiveBoardSource(new HttpClient({ url: daemon.url, token }), connectSocket(daemon.url, token));
  const app = renderApp(source);
  return {
    app,
    async close() {
      app.unmount();
      await source.close();
    },
  };
}

describe('TUI against a real daemon', () => {
  it('shows bids placed through the HTTP API on the board, live over the socket', async () => {
    const { daemon } = file;
    const { viewer, rival, lamp, title } = await market();
    const { app, close } = liveApp(viewer.token);
    try {
      await app.waitFor((f) => f.includes(title) && f.includes('● live'), 30_000);
      const rivalClient = daemon.client(rival.token);
      await rivalClient.bid(lamp.id, 150);
      // The list was read before this bid: only the socket can bring it to the screen,
      // and the leader's name comes from GET /v1/users.
      await app.waitFor((f) => /\s150\s+rival\s+1\s/.test(lineWith(f, title)), 30_000);
      // Now subscribed for certain; the next one is a live event.
      await rivalClient.bid(lamp.id, 400);
      const f = await app.waitFor((fr) => lineWith(fr, title).includes('400'), 30_000);
      expect(lineWith(f, title)).toMatch(/400\s+rival\s+2/);
    } finally {
      await close();
    }
  });

  it('bids from the keyboard, updates the balance from private events and marks an outbid', async () => {
    const { daemon } = file;
    const { viewer, rival, lamp, title } = await market();
    const { app, close } = liveApp(viewer.token);
    try {
      await app.waitFor((f) => f.includes(title) && f.includes('● live') && f.includes('balance 10,000'), 30_000);
      // Other tests' auctions are on the board too: narrow it to this one.
      await app.press('/', ...title, '\r');
      await app.waitFor('1/1');
      await app.press('b');
      await app.waitFor('(min 100): 100');
      await app.press('\r');
      await app.waitFor('placed: you are leading', 30_000);
      await app.waitFor('held 100  available 9,900', 30_000);
      await daemon.client(rival.token).bid(lamp.id, 200);
      const f = await app.waitFor(`Outbid on “${title}”: now 200.`, 30_000);
      expect(f).toMatch(new RegExp(`!\\s+${title}\\s+200\\s`));
      await app.waitFor('held 0  available 10,000', 30_000);
      const me = await daemon.client(viewer.token).me();
      expect(me).toMatchObject({ held: 0, available: 10_000 });
    } finally {
      await close();
    }
  });
  it('places a maximum with m that answers a rival by itself, shown only to its bidder, then outbid once used up', async () => {
    const { daemon } = file;
    const { viewer, rival, lamp, title } = await market();
    const mine = liveApp(viewer.token);
    const theirs = liveApp(rival.token);
    try {
      await mine.app.waitFor((f) => f.includes(title) && f.includes('● live') && f.includes('balance 10,000'), 30_000);
      await theirs.app.waitFor((f) => f.includes(title) && f.includes('● live'), 30_000);
      for (const { app } of [mine, theirs]) {
        await app.press('/', ...title, '\r');
        await app.waitFor('1/1');
      }
      await mine.app.press('m');
      await mine.app.waitFor('Max bid on', 30_000);
      await mine.app.press('\x15', '5', '0', '0', '\r');
      await mine.app.waitFor('Maximum 500 on', 30_000);
      expect(mine.app.frame()).toContain('placed: you are leading at 100.');
      // The whole maximum is held while it leads (the rule line names the filter: rows are found by the title and a space).
      await mine.app.waitFor('held 500  available 9,500', 30_000);
      await mine.app.press('\r');
      await mine.app.waitFor('your max 500 · leading', 30_000);

      await daemon.client(rival.token).bid(lamp.id, 200);
      // The maximum answers at 210 by itself: an automatic bid on both screens; the rival never sees 500.
      await mine.app.waitFor((f) => /\*\+\s/.test(lineWith(f, `${title} `)) && /\s210\s+you\s+3\s/.test(lineWith(f, `${title} `)), 30_000);
      await mine.app.waitFor('210 you (auto)', 30_000);
      await theirs.app.waitFor((f) => /\s210\s+viewer\s+3\s/.test(lineWith(f, `${title} `)), 30_000);
      await theirs.app.press('\r');
      await theirs.app.waitFor('(auto)', 30_000);
      // The amount on its own, not inside another number (the daemon's port, say, or 1,500).
      expect(theirs.app.frame()).not.toMatch(/(?<![\d,])500(?![\d,])/);

      await daemon.client(rival.token).bid(lamp.id, 600);
      await mine.app.waitFor(`Outbid on “${title}”: now 600.`, 30_000);
      await mine.app.waitFor('held 0  available 10,000', 30_000);
      expect(lineWith(mine.app.frame(), `${title} `)).toMatch(new RegExp(`!\\s+${title}\\s+600\\s`));
      expect(mine.app.frame()).not.toContain('your max');
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});

describe('neighborbid tui in a pseudo-terminal', () => {
  // The TUI keeps where it stopped reading private events in the config file: a throwaway one here.
  let home: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    home = await tempDir('nb-tui-home-');
  });
  afterAll(async () => {
    await home?.remove();
  });

  /** Runs the TUI under script(1), which gives it a terminal; returns its output so far and a way to type. */
  function spawnTui(token: string) {
    const { daemon } = file;
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1', HOME: home.path, XDG_CONFIG_HOME: join(home.path, 'config') };
    const child = spawn('script', ['-qfec', `stty rows 24 cols 80; exec ${process.execPath} ${BIN} tui --url ${daemon.url} --token ${token}`, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const waitFor = async (text: string, ms = 30_000) => {
      await pollUntil(
        () => {
          if (child.exitCode !== null && !out.includes(text)) throw new Error(`exited with ${child.exitCode} before "${text}":\n${out.slice(-3000)}`);
          return out.includes(text);
        },
        { timeoutMs: ms, what: `"${text}"`, detail: () => `output:\n${out.slice(-3000)}` },
      );
    };
    return { child, output: () => out, exited, waitFor, type: (s: string) => child.stdin!.write(s) };
  }

  for (const [name, key] of [
    ['q', 'q'],
    ['Ctrl-C', '\x03'],
  ] as const) {
    it(`draws the board full screen and restores the terminal on ${name}`, async () => {
      const { viewer, title } = await market();
      const tui = spawnTui(viewer.token);
      try {
        await tui.waitFor('● live');
        await tui.waitFor(title);
        const drawn = tui.output();
        expect(drawn).toContain('\x1b[?1049h');
        // NO_COLOR: no colour codes at all.
        expect(drawn).not.toMatch(/\x1b\[3[0-9](;\d+)*m/);
        tui.type(key);
        expect(await tui.exited).toBe(0);
        const out = tui.output();
        expect(out.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(out.lastIndexOf('\x1b[?1049h'));
        expect(out.lastIndexOf('\x1b[?25h')).toBeGreaterThan(out.lastIndexOf('\x1b[?25l'));
      } finally {
        if (tui.child.exitCode === null) tui.child.kill('SIGKILL');
      }
    });
  }

  it('shows an outbid user what happened while they were away on its next start, and marks the auction on the board', async () => {
    const { daemon } = file;
    const { viewer, rival, lamp, title } = await market();
    // A first start: nothing missed yet, and the position is kept.
    const first = spawnTui(viewer.token);
    try {
      await first.waitFor('● live');
      first.type('q');
      expect(await first.exited).toBe(0);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
    expect(first.output()).not.toContain('While you were away');
    // Away: bids, is outbid, gets money.
    await daemon.client(viewer.token).bid(lamp.id, 150);
    await daemon.client(rival.token).bid(lamp.id, 200);
    await daemon.admin.deposit(viewer.id, 5);

    const next = spawnTui(viewer.token);
    try {
      await next.waitFor('While you were away: outbid once, 3 balance changes.');
      await next.waitFor(`outbid on “${title}”: now 200 by rival`);
      await next.waitFor('balance 10,005, held 0, available 10,005');
      next.type(' ');
      // The board, the lamp marked "!" (outbid): from the inbox, no live event told it.
      await next.waitFor('● live');
      const marked = new RegExp(`!(\\s|\x1b\\[[\\d;]*m)+${title}(\\s|\x1b\\[[\\d;]*m)+200\\s`);
      await pollUntil(() => marked.test(next.output()), { what: 'the outbid mark', detail: () => next.output().slice(-3000) });
      next.type('q');
      expect(await next.exited).toBe(0);
    } finally {
      if (next.child.exitCode === null) next.child.kill('SIGKILL');
    }

    // Seen now: a third start has nothing to say.
    const third = spawnTui(viewer.token);
    try {
      await third.waitFor('● live');
      await third.waitFor(title);
      third.type('q');
      expect(await third.exited).toBe(0);
    } finally {
      if (third.child.exitCode === null) third.child.kill('SIGKILL');
    }
    expect(third.output()).not.toContain('While you were away');
  });

  it('says in one line, without a stack trace, when the token is wrong', async () => {
    const tui = spawnTui('nb_u1_wrong');
    try {
      expect(await tui.exited).not.toBe(0);
      expect(tui.output()).toMatch(/neighborbid: .*token/i);
      expect(tui.output()).not.toContain('    at ');
    } finally {
      if (tui.child.exitCode === null) tui.child.kill('SIGKILL');
    }
  });
});

describe('neighborbid demo', () => {
  it('starts a market with 20 auctions and bidders, and q stops the daemon, its PostgreSQL and removes the directory', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
    delete env.DATABASE_URL;
    const child = spawn('script', ['-qfec', `stty rows 40 cols 120; exec ${process.execPath} ${BIN} demo --name ann`, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const waitFor = async (re: RegExp, ms = 90_000) => {
      await pollUntil(
        () => {
          if (child.exitCode !== null && !re.test(out)) throw new Error(`the demo exited before ${re}:\n${out.slice(-3000)}`);
          return re.test(out);
        },
        { timeoutMs: ms, intervalMs: 50, what: `${re} in the demo's output`, detail: () => out.slice(-3000) },
      );
    };
    try {
      await waitFor(/Starting the daemon and its PostgreSQL in (\S+) /);
      const dir = /Starting the daemon and its PostgreSQL in (\S+) /.exec(out)![1]!;
      await waitFor(/1\/20/);
      await waitFor(/ann.*balance.*100,000/);
      // The neighbours bid within seconds: some row gets a leader, shown by name.
      await waitFor(/Brass desk lamp\S*(\s|\x1b\[[\d;]*m)+[\d,]+(\s|\x1b\[[\d;]*m)+(ada|bo|cyd|dee)\b/);
      child.stdin!.write('q');
      expect(await exited).toBe(0);
      expect(out).toContain(`Demo stopped; removed ${dir}.`);
      expect(existsSync(dir)).toBe(false);
      const left = spawnSync('pgrep', ['-f', `${dir}/pg`], { encoding: 'utf8' }).stdout.trim();
      expect(left).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
