// `neighborbid completion <shell>` prints a completion script; the hidden
// `neighborbid __complete <shell> -- <words…>` answers it: the candidates for
// the last word, one a line. Open auction ids come from the daemon when it
// answers within a moment; when it does not, there are silently none.
import type { Command } from 'commander';
import { HttpClient } from '../../client/http-client.js';
import { complete, joinBashWords, type Candidate } from '../completion.js';
import { completionScript, type Shell } from '../completion-scripts.js';
import { configFile, readConfig, resolveIdentity } from '../config.js';

/** How long a completion waits for the daemon's open auctions. */
const DAEMON_WAIT_MS = 400;

/** Prints the script for `neighborbid completion <shell>`. */
export function printScript(program: Command, shell: Shell): void {
  process.stdout.write(completionScript(shell, program.name()));
}

/** The open auctions whose id starts with `prefix`, or none when the daemon does not answer in time. */
async function openAuctions(url: string | undefined, prefix: string): Promise<Candidate[]> {
  let client: HttpClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const { url: daemon } = resolveIdentity({ url }, readConfig(configFile()));
    client = new HttpClient({ url: daemon, timeoutMs: DAEMON_WAIT_MS });
    const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('late')), DAEMON_WAIT_MS)));
    const page = await Promise.race([client.listAuctions({ status: 'open', limit: 200 }), late]);
    return page.auctions
      .map((a) => ({ value: String(a.id), description: a.title }))
      .filter((c) => c.value.startsWith(prefix));
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}

/** Prints the candidates for the last of `words` (the command line after the program's name). */
export async function printCandidates(program: Command, shell: Shell, typed: string[]): Promise<void> {
  // Bash splits at = and :; the other shells hand over the words as typed.
  const { words, cut } = shell === 'bash' ? joinBashWords(typed) : { words: typed, cut: 0 };
  const found = complete(program, words.length ? words : ['']);
  if (found.kind === 'files') {
    process.stdout.write(':files\n');
    return;
  }
  const globalUrl = program.opts<{ url?: string }>().url;
  const candidates = found.kind === 'auctions' ? await openAuctions(found.url ?? globalUrl, found.prefix) : found.candidates;
  const lines = candidates.map((c) => {
    const value = c.value.slice(cut);
    // Bash shows values only; the others show a description beside each.
    return shell === 'bash' || !c.description ? value : `${value}\t${c.description.replace(/\s+/g, ' ')}`;
  });
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}
