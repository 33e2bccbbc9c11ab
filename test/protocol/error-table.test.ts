// The error table is the only translation (issue 13, acceptance 1): these read
// the sources themselves. No sentence for an error code is written outside
// src/protocol/errors.ts, no rule names an HTTP status, and no WebSocket close
// code is written outside the table.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../src/daemon/rules/sql/index.js';

const SRC = join(import.meta.dirname, '../../src');
const TABLE = 'protocol/errors.ts';

/** Every TypeScript source under src/, by its path from src/. */
async function sources(): Promise<Map<string, string>> {
  const files = (await readdir(SRC, { recursive: true })).filter((f) => /\.tsx?$/.test(f));
  return new Map(await Promise.all(files.map(async (f) => [relative(SRC, join(SRC, f)), await readFile(join(SRC, f), 'utf8')] as const)));
}

/** The lines of every source but the table that match. */
function outsideTable(all: Map<string, string>, pattern: RegExp): string[] {
  return [...all].filter(([file]) => file !== TABLE).flatMap(([file, text]) =>
    text.split('\n').flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('the error table', () => {
  it('is the only place an error gets its sentence', async () => {
    const all = await sources();
    // nbError(code, details): never a sentence where the details go.
    expect(outsideTable(all, /nbError\(\s*'[A-Z_]+'\s*,\s*[`'"]/)).toEqual([]);
    // new NbError(code, details, message) only with the sentence read off the wire.
    expect(outsideTable(all, /new NbError\([^)]*,\s*[`'"]/)).toEqual([]);
    // The one hand-written sentence that was in three files.
    expect(outsideTable(all, /`No (auction|user) \$\{/)).toEqual([]);
  });

  it('gives the rules no HTTP status to write', () => {
    for (const f of rules.files) {
      expect(f.sql, f.name).not.toMatch(/nb_err\(\s*\d/);
      expect(f.sql, f.name).not.toMatch(/'status',\s*\d/);
      expect(f.sql.match(/\b(200|201|400|401|403|404|409|413|422|429|500|503)\b/g) ?? [], f.name).toEqual([]);
    }
  });

  it('holds every WebSocket close code', async () => {
    const all = await sources();
    expect(outsideTable(all, /\.close\(\s*\d/)).toEqual([]);
    expect(outsideTable(all, /close.*\b(1000|1001|1008|1009|1011|4\d{3})\b|\b(1000|1001|1008|1009|1011|4\d{3})\b.*close/i)).toEqual([]);
  });
});
