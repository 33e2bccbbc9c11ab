// A WebSocket upgrade the daemon refuses reaches people with its own code: the
// socket client reads the refusal's JSON body, so `watch` leaves with that
// code's exit code and line, and the TUI's header names it. Real daemons: one
// that allows a single socket per address (429 TOO_MANY_CONNECTIONS) and one
// whose database is away (503 UNAVAILABLE, met when it checks a token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { HttpClient } from '../../src/client/http-client.js';
import { connectSocket } from '../../src/tui/data/connect-socket.js';
import { LiveBoardSource } from '../../src/tui/data/live-source.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestDaemon, tempDir, type StartedTestDaemon } from '../helpers/daemon.js';
import { renderApp } from '../helpers/ink.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { openWatcher, type Watcher } from '../helpers/watcher.js';

let db: TestDatabase;
let home: { path: string; remove(): Promise<void> };
/** Takes one WebSocket per address; `held` is that one socket. */
let crowded: StartedTestDaemon;
let held: Watcher;
/** Reaches PostgreSQL through `proxy`, which the tests cut. */
let stranded: StartedTestDaemon;
let proxy: TcpProxy;
/** A well-formed user token the daemon has never seen: checking it needs the database. */
const unseenToken = `nb_u1_${'A'.repeat(43)}`;

beforeAll(async () => {
  db = await createTestDatabase();
  home = await tempDir('nb-refused-home-');
  crowded = await startTestDaemon(db.url, { maxSocketsPerIp: 1 });
  held = await openWatcher(crowded.url);
  proxy = await startTcpProxy(db.url);
  stranded = await startTestDaemon(proxy.via(db.url));
  await proxy.cut();
});

afterAll(async () => {
  cleanup();
  await held?.close();
  await proxy?.restore();
  for (const d of [crowded, stranded]) {
    await d?.close();
    await d?.removeDir();
  }
  await proxy?.close();
  await home?.remove();
  await db?.drop();
});

/** `neighborbid watch …args` against a daemon, with a throwaway home. */
function watch(url: string, args: string[]) {
  return runCli(['watch', ...args], { HOME: home.path, XDG_CONFIG_HOME: `${home.path}/config`, NEIGHBORBID_URL: url });
}

describe('a refused WebSocket upgrade', () => {
  it('ends watch with TOO_MANY_CONNECTIONS and exit code 3 when the address has its sockets', async () => {
    const message = 'At most 1 WebSockets may be open from one address.';
    const [human, json] = await Promise.all([watch(crowded.url, ['1']), watch(crowded.url, ['1', '--json'])]);
    expect(human).toEqual({ code: 3, stdout: '', stderr: `neighborbid: TOO_MANY_CONNECTIONS: ${message}\n` });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'TOO_MANY_CONNECTIONS', message, reason: 'sockets', limit: 1 } });
    // Refused, not dropped: the socket already open is still the only one.
    expect(crowded.peers.open('socket', '127.0.0.1')).toBe(1);
  });

  it('ends watch with UNAVAILABLE and exit code 6 when the daemon cannot check the token', async () => {
    const r = await watch(stranded.url, ['1', '--token', unseenToken]);
    expect(r).toEqual({ code: 6, stdout: '', stderr: 'neighborbid: UNAVAILABLE: The database is unavailable; try again shortly.\n' });
  });

  it("shows the refusal's code in the TUI's header while it tries again", async () => {
    const cases = [
      { url: crowded.url, token: undefined, code: 'TOO_MANY_CONNECTIONS' },
      { url: stranded.url, token: unseenToken, code: 'UNAVAILABLE' },
    ];
    for (const { url, token, code } of cases) {
      const source = new LiveBoardSource(new HttpClient({ url, token }), connectSocket(url, token));
      const app = renderApp(source);
      try {
        const frame = await app.waitFor((f) => new RegExp(`reconnecting \\(attempt \\d+\\): ${code}`).test(f), 30_000);
        expect(frame).not.toContain('● live');
      } finally {
        app.unmount();
        await source.close();
      }
    }
  });
});
