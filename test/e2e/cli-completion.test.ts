// Shell completion as a person gets it: the script from `neighborbid completion
// bash` sourced in a real bash, its completion function called with the words
// typed so far, and `neighborbid` on PATH (a shim running bin/neighborbid.js).
import { chmod, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, startCliFixture, type CliFixture } from '../helpers/cli.js';
import { BIN, deadUrl, tempDir } from '../helpers/daemon.js';

let f: CliFixture;
let dir: { path: string; remove(): Promise<void> };
let script: string;

beforeAll(async () => {
  f = await startCliFixture();
  dir = await tempDir('nb-completion-');
  await writeFile(join(dir.path, 'neighborbid'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  await chmod(join(dir.path, 'neighborbid'), 0o755);
  const r = await f.run(['completion', 'bash']);
  expect(r.code).toBe(0);
  script = join(dir.path, 'neighborbid.bash');
  await writeFile(script, r.stdout);
});

afterAll(async () => {
  await dir?.remove();
  await f?.close();
});

/**
 * What bash offers for a command line: `words` as bash splits them
 * (COMP_WORDS), the last one being the word under the cursor (COMP_CWORD).
 */
async function offered(words: string[], env: NodeJS.ProcessEnv = {}, setup = ''): Promise<{ replies: string[]; stderr: string }> {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = [
    `source '${script}'`,
    setup,
    `COMP_WORDS=(${quoted})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE="\${COMP_WORDS[*]}"`,
    `COMP_POINT=\${#COMP_LINE}`,
    '_neighborbid',
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join('\n');
  const r = await runProcess('bash', ['--norc', '--noprofile', '-c', program], {
    env: { ...f.env, ...env, PATH: `${dir.path}:${process.env.PATH}` },
  });
  expect(r.code).toBe(0);
  return { replies: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

describe('bash completion', () => {
  it('completes commands, subcommands and flags', async () => {
    expect((await offered(['neighborbid', 'bi'])).replies).toEqual(['bid', 'bids']);
    expect((await offered(['neighborbid', 'auction', 'c'])).replies.sort()).toEqual(['cancel', 'create']);
    expect((await offered(['neighborbid', 'bid', '--'])).replies.sort()).toEqual([
      '--color',
      '--help',
      '--idempotency-key',
      '--json',
      '--max',
      '--min',
      '--no-color',
      '--token',
      '--url',
      '--verbose',
      '--version',
    ]);
    // Global options before the command, and aliases.
    expect((await offered(['neighborbid', '--json', 'who'])).replies).toEqual(['whoami']);
    expect((await offered(['neighborbid', 'auction', 'create', '--s'])).replies.sort()).toEqual(['--soft-close', '--start']);
  });

  it("completes an option's choices, also after = (which bash splits off)", async () => {
    expect((await offered(['neighborbid', 'auction', 'list', '--status', 'c'])).replies.sort()).toEqual(['cancelled', 'closed']);
    expect((await offered(['neighborbid', 'auction', 'list', '--status', '=', 'c'])).replies.sort()).toEqual(['cancelled', 'closed']);
    expect((await offered(['neighborbid', 'completion', ''])).replies).toEqual(['bash', 'zsh', 'fish']);
  });

  it("offers the daemon's open auctions where an auction id goes", async () => {
    const seller = await f.daemon.admin.createUser('completer');
    const c = f.daemon.client(seller.token);
    const open = await Promise.all([1, 2].map((i) => c.createAuction({ title: `Lot ${i}`, startPrice: 10, minIncrement: 1, durationSec: 600 })));
    const gone = await c.createAuction({ title: 'Gone', startPrice: 10, minIncrement: 1, durationSec: 600 });
    await c.cancel(gone.id);
    const ids = open.map((a) => String(a.id)).sort();
    expect((await offered(['neighborbid', 'bid', ''])).replies.sort()).toEqual(ids);
    expect((await offered(['neighborbid', 'auction', 'show', ''])).replies.sort()).toEqual(ids);
    // watch takes many: more after the first.
    expect((await offered(['neighborbid', 'watch', ids[0]!, ''])).replies.sort()).toEqual(ids);
    expect((await offered(['neighborbid', 'buy', ids[1]!])).replies).toEqual([ids[1]]);
    // The amount after the auction is not an auction id.
    expect((await offered(['neighborbid', 'bid', ids[0]!, ''])).replies).toEqual([]);
    // The daemon named by --url on the command line is the one asked (split at ':' by bash).
    const [scheme, ...rest] = f.daemon.url.split(':');
    const split = [scheme!, ':', rest[0]!, ':', rest[1]!];
    const elsewhere = await offered(['neighborbid', '--url', ...split, 'bid', ''], { NEIGHBORBID_URL: await deadUrl() });
    expect(elsewhere.replies.sort()).toEqual(ids);
  });

  it('offers no auction ids, silently and soon, when the daemon is away or does not answer', async () => {
    const away = await offered(['neighborbid', 'bid', ''], { NEIGHBORBID_URL: await deadUrl() });
    expect(away).toEqual({ replies: [], stderr: '' });

    // A daemon that takes the connection and never answers.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      const mute = await offered(['neighborbid', 'bid', ''], { NEIGHBORBID_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
      expect(mute).toEqual({ replies: [], stderr: '' });
      // Not the client's usual 30-second timeout: the wait is well under a second (bounded generously here).
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(sockets.size).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("falls back to bash's file names for a path", async () => {
    // compopt works only while bash completes for real; this one says what it was asked.
    const spy = 'compopt() { echo "compopt $*"; }';
    expect(await offered(['neighborbid', 'daemon', '--data-dir', ''], {}, spy)).toEqual({ replies: ['compopt -o default'], stderr: '' });
    expect(await offered(['neighborbid', 'auction', 'create', '--title', ''], {}, spy)).toEqual({ replies: [], stderr: '' });
  });
});

describe('completion scripts', () => {
  it('prints one for bash, zsh and fish, and refuses another shell (exit 2)', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await f.run(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('neighborbid __complete');
    }
    const bad = await f.run(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid shell 'tcsh'");
  });
});
