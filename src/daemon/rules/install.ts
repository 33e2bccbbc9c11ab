// Installs the rule functions (./sql/) at start, inside the migrations'
// transaction and under their lock, and keeps daemons of different rules
// versions on one database from running each other's rules:
// - a daemon whose rules are older than the installed ones refuses to start,
//   with one line saying which version is installed and which it has;
// - a daemon whose rules are newer installs its own; an older daemon still
//   running then finds every rule call refused (each call passes the caller's
//   version, SQLSTATE NB001), logs why and answers UNAVAILABLE, at no cost to
//   the calls themselves (no extra round trip, one integer compared).
import { nbError } from '../../protocol/errors.js';
import type { TxSql } from '../db/database.js';
import { functionsOf, hashOf, rules, RULES_VERSION, type RuleSet } from './sql/index.js';

export interface InstalledRules {
  /** The version that was installed before, if any. */
  previous: number | null;
  version: number;
}

interface VersionRow {
  version: number;
  hash: string;
  functions: string[];
  installed_by: string;
}

/**
 * Installs this daemon's rules (`set`: tests install others), or throws
 * UNAVAILABLE when the database holds newer ones, or other text under the same version.
 */
export async function installRules(tx: TxSql, daemonVersion: string, set: RuleSet = rules): Promise<InstalledRules> {
  const hash = hashOf(set);
  const [row] = await tx<VersionRow[]>`
    SELECT version, hash, to_jsonb(functions) AS functions, installed_by FROM rules_version`;
  if (row && row.version > set.version) {
    throw nbError('UNAVAILABLE', { reason: 'rulesNewer', installed: row.version, installedBy: row.installed_by, mine: set.version });
  }
  if (row && row.version === set.version && row.hash !== hash) {
    throw nbError('UNAVAILABLE', { reason: 'rulesChanged', installed: row.version, installedBy: row.installed_by });
  }
  for (const f of set.files) await tx.unsafe(f.sql);

  // Overloads the rules no longer make (an older signature, a rule that is gone)
  // are dropped, so that no caller can reach rules of another version.
  const functions = functionsOf(set);
  const names = [...new Set([...functions.map((f) => f.name), ...(row?.functions ?? [])])];
  const signatures = tx.json(functions.map((f) => f.signature));
  const [found] = await tx<{ missing: string[]; stale: string[] }[]>`
    SELECT (SELECT coalesce(jsonb_agg(s), '[]') FROM jsonb_array_elements_text(${signatures}) s
             WHERE to_regprocedure(s) IS NULL) AS missing,
           (SELECT coalesce(jsonb_agg(p.oid::regprocedure::text), '[]') FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace
               AND p.proname IN (SELECT jsonb_array_elements_text(${tx.json(names)}))
               AND p.oid NOT IN (SELECT to_regprocedure(s)::oid FROM jsonb_array_elements_text(${signatures}) s)) AS stale`;
  // A signature read wrongly from a rule file would have the function it names dropped.
  if (found!.missing.length > 0) throw new Error(`rule functions not found after their install: ${found!.missing.join(', ')}`);
  for (const signature of found!.stale) await tx.unsafe(`DROP FUNCTION ${signature}`);

  await tx`
    INSERT INTO rules_version (version, hash, functions, installed_by)
    VALUES (${set.version}, ${hash}, ARRAY(SELECT DISTINCT jsonb_array_elements_text(${tx.json(functions.map((f) => f.name))})), ${daemonVersion})
    ON CONFLICT (singleton) DO UPDATE
       SET version = EXCLUDED.version, hash = EXCLUDED.hash, functions = EXCLUDED.functions,
           installed_by = EXCLUDED.installed_by, installed_at = now()`;
  return { previous: row?.version ?? null, version: set.version };
}

/**
 * The log line of a daemon whose rules a newer daemon replaced, from the
 * database's refusal (the error's cause).
 */
export function rulesOutdatedLine(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const said = cause instanceof Error ? cause.message : String(cause);
  return (
    `the rules in the database are no longer this daemon's (rules version ${RULES_VERSION}): ${said}. ` +
    'It answers UNAVAILABLE until it is stopped; run an upgraded daemon instead.'
  );
}
