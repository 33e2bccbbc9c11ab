// Help text shared by the commands: the exit codes and retries, from the error
// table (so that what the help says is what the CLI does), the closing
// examples, and the environment.
import { errorCodes, exitCodeMeanings, retryableCodes, type ErrorCode, type ExitCode } from '../protocol/errors.js';
import { MAX_RETRY_AFTER_MS, RETRY_DELAYS_MS } from './retry.js';

const WIDTH = 80;

/** Fills words into lines of at most WIDTH columns: the first starts with `lead`, the others with `indent`. */
function fill(lead: string, text: string, indent: string): string {
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(/\s+/)) {
    if (line.trim() && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else line = line === '' || line.endsWith(' ') ? line + word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

/** The error codes that leave with an exit code, in the table's order. */
export function codesExitingWith(exit: ExitCode): ErrorCode[] {
  return (Object.keys(errorCodes) as ErrorCode[]).filter((c) => errorCodes[c].exit === exit);
}

/** "Exit codes:" and one line per exit code with its meaning and the error codes behind it. */
export function exitCodesHelp(): string {
  const lines = Object.entries(exitCodeMeanings).map(([exit, meaning]) => {
    const codes = codesExitingWith(Number(exit) as ExitCode);
    return fill(`  ${exit}  `, `${meaning}${codes.length ? ` (${codes.join(', ')})` : ''}`, '     ');
  });
  return `
Exit codes:
${lines.join('\n')}

With --json, stdout holds exactly one JSON document: the API's answer, or
{"error":{"code","message",…}} on failure (watch: one JSON object per line, the
error too). The one-line error is on stderr either way.`;
}

/** How bids and buys are retried. */
export function retryHelp(): string {
  const seconds = RETRY_DELAYS_MS.map((ms) => ms / 1000);
  const text =
    'Without --idempotency-key a fresh key is made for this one command. If the ' +
    `answer is one that may change (${retryableCodes.join(', ')}), the request is sent again ` +
    `with the same key, up to ${RETRY_DELAYS_MS.length} more times, after ${seconds.slice(0, -1).join(', ')} ` +
    `and ${seconds[seconds.length - 1]} s, or as long as the daemon's Retry-After asks (up to ` +
    `${MAX_RETRY_AFTER_MS / 1000} s); the daemon runs a key only once, so a retry can never act twice.`;
  return `\n${fill('', text, '')}`;
}

/** The last section of a command's help: a few command lines to copy. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;
}

/** The environment variables and the config file, for the program's help. */
export function environment(configFile: string): string {
  return `
Environment:
  NEIGHBORBID_URL          the daemon's URL (as --url)
  NEIGHBORBID_TOKEN        your user token (as --token)
  NEIGHBORBID_ADMIN_TOKEN  the admin token for admin commands (else the admin-token
                           file in the daemon's data directory)
  NEIGHBORBID_DATA_DIR     the daemon's data directory (as --data-dir; default
                           $XDG_DATA_HOME/neighborbid, else ~/.local/share/neighborbid)
  DATABASE_URL             the daemon's PostgreSQL (as daemon --database-url)
  NO_COLOR                 never colour (as --no-color; https://no-color.org)
  FORCE_COLOR              colour even when not on a terminal (as --color); 0: never

Config file (written by login, mode 0600; XDG_CONFIG_HOME moves it):
  ${configFile}`;
}
