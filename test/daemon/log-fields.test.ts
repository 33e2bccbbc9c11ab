// Log lines as a log shipper wants them: an expected error with its type and
// message, its stack only at debug; and no daemon log line whose message is
// built from values (the values belong in fields).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { errorFields } from '../../src/daemon/log-fields.js';

/** A logger at `level` and the JSON lines it wrote. */
function capture(level: string): { log: pino.Logger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

describe('errorFields', () => {
  it('gives type, code and message without the stack at info', () => {
    const { log, lines } = capture('info');
    log.warn({ ...errorFields(log, refused()), auction: 7 }, 'channel read failed');
    expect(lines[0]).toMatchObject({ msg: 'channel read failed', auction: 7, err: { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' } });
    expect(lines[0]!.err.stack ?? '').toBe('');
  });

  it('gives the whole error with its stack at debug', () => {
    const { log, lines } = capture('debug');
    log.warn(errorFields(log, refused()), 'channel read failed');
    expect(lines[0]!.err).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(lines[0]!.err.stack).toMatch(/^Error: connect ECONNREFUSED[^\n]*\n\s+at refused /);
  });

  it('passes on a thrown value that is no Error as it is', () => {
    const { log } = capture('info');
    expect(errorFields(log, 'gone')).toEqual({ err: 'gone' });
  });
});

describe('daemon log lines', () => {
  it('never build their message from values', () => {
    const root = resolve(import.meta.dirname, '../../src/daemon');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    // A call to log, log.info, req.log.warn, … with a template literal among its arguments.
    const templated = /\blog(?:\.(?:trace|debug|info|warn|error|fatal))?\((?:[^()`]|\([^()]*\))*`/;
    const offenders = files.flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (templated.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
    expect(templated.test("log.info(`applied migrations ${applied.join(', ')}`);")).toBe(true);
    expect(templated.test('log({ attempt }, `did not start (attempt ${attempt})`);')).toBe(true);
    expect(templated.test("log.info({ migrations: applied }, 'applied migrations');")).toBe(false);
  });
});
