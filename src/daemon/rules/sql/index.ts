// The rules as installed: every file of this folder, in the order they are
// created (helpers first, then what calls them). Tables live in migrations
// (migrations/ at the package's root), which only ever grow; the rule functions live
// here, one file per rule, and every daemon installs them at start with
// CREATE OR REPLACE, so a rule change is a diff of its file (and a new
// RULES_VERSION in version.ts).
import { createHash } from 'node:crypto';
import buyNow from './buy-now.js';
import cancel from './cancel.js';
import helpers from './helpers.js';
import idempotency from './idempotency.js';
import inbox from './inbox.js';
import placeBids from './place-bids.js';
import settleDue from './settle-due.js';
import { RULES_VERSION } from './version.js';

export { RULES_VERSION };

export interface RuleFile {
  name: string;
  sql: string;
}

/** A version of the rules: what a daemon installs. */
export interface RuleSet {
  version: number;
  files: readonly RuleFile[];
}

/** This daemon's rules. */
export const rules: RuleSet = {
  version: RULES_VERSION,
  files: [
    { name: 'helpers', sql: helpers },
    { name: 'idempotency', sql: idempotency },
    { name: 'inbox', sql: inbox },
    { name: 'place-bids', sql: placeBids },
    { name: 'buy-now', sql: buyNow },
    { name: 'cancel', sql: cancel },
    { name: 'settle-due', sql: settleDue },
  ],
};

/** A hash of every rule's text: the same version with other text is refused too. */
export function hashOf(set: RuleSet): string {
  return createHash('sha256')
    .update(set.files.map((f) => `-- ${f.name}\n${f.sql}`).join('\n'))
    .digest('hex');
}

export interface RuleFunction {
  name: string;
  /** The identity signature PostgreSQL knows it by, e.g. `nb_err(text, jsonb)`. */
  signature: string;
}

/** Every function the rule files create, read from their CREATE statements. */
export function functionsOf(set: RuleSet): RuleFunction[] {
  const out: RuleFunction[] = [];
  for (const f of set.files) {
    for (const m of f.sql.matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(([^)]*)\)/g)) {
      // "p_details jsonb DEFAULT '{}'" → "jsonb": the name goes, and any default.
      const types = m[2]!
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => p.replace(/\s+DEFAULT\s.*$/i, '').replace(/^\w+\s+/, ''));
      out.push({ name: m[1]!, signature: `${m[1]}(${types.join(', ')})` });
    }
  }
  return out;
}
