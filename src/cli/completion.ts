// Shell completion worked out from the commander program itself: the words
// typed so far are walked through its commands, options and arguments, so a
// new command or flag completes with no list kept by hand. The scripts
// (completion-scripts.ts) ask `neighborbid __complete <shell> -- <words…>`.
import type { Command, Option } from 'commander';
import { AuctionIdArgument } from './parse.js';

export interface Candidate {
  value: string;
  description?: string | undefined;
}

/** What the word under the cursor may be. */
export type Completion =
  | { kind: 'words'; candidates: Candidate[] }
  /** A path: the shell completes files itself. */
  | { kind: 'files' }
  /** An auction id: the daemon's open auctions, from `url` when the words name one (--url). */
  | { kind: 'auctions'; prefix: string; url: string | undefined };

/** The commands, options and `--url` a command line's words name, and the word being typed. */
interface Walked {
  command: Command;
  /** Positional arguments given to `command` so far. */
  positionals: number;
  /** An option whose value is the word being typed. */
  pending: Option | undefined;
  /** After `--`: everything is an argument. */
  rest: boolean;
  url: string | undefined;
}

/** The options a command accepts: its own (with help) and every ancestor's, as commander parses them. */
function optionsOf(command: Command): Option[] {
  const own = command.createHelp().visibleOptions(command);
  const inherited: Option[] = [];
  for (let c = command.parent; c; c = c.parent) inherited.push(...c.options.filter((o) => !o.hidden));
  return [...own, ...inherited];
}

function findOption(command: Command, flag: string): Option | undefined {
  return optionsOf(command).find((o) => o.long === flag || o.short === flag);
}

/** Subcommands a person may type, including commander's `help`. */
function subcommandsOf(command: Command): Command[] {
  return command.commands.length ? command.createHelp().visibleCommands(command) : [];
}

function walk(program: Command, typed: readonly string[]): Walked {
  const w: Walked = { command: program, positionals: 0, pending: undefined, rest: false, url: undefined };
  for (const word of typed) {
    if (w.pending) {
      if (w.pending.long === '--url') w.url = word;
      w.pending = undefined;
    } else if (w.rest) {
      w.positionals++;
    } else if (word === '--') {
      w.rest = true;
    } else if (word.startsWith('-') && word.length > 1) {
      const eq = word.indexOf('=');
      const option = findOption(w.command, eq > 0 ? word.slice(0, eq) : word);
      if (option?.required && eq < 0) w.pending = option;
      if (option?.long === '--url' && eq > 0) w.url = word.slice(eq + 1);
    } else {
      const sub = w.positionals === 0 ? subcommandsOf(w.command).find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
      if (sub) w.command = sub;
      else w.positionals++;
    }
  }
  return w;
}

function oneLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function matching(candidates: Candidate[], prefix: string): Completion {
  return { kind: 'words', candidates: candidates.filter((c) => c.value.startsWith(prefix)) };
}

/** An option's value: its choices, a path, or nothing to offer. */
function valueOf(option: Option, typed: string, before = ''): Completion {
  if (option.argChoices) return matching(option.argChoices.map((c) => ({ value: before + c })), before + typed);
  if (/<(dir|file|path)>/.test(option.flags)) return { kind: 'files' };
  return { kind: 'words', candidates: [] };
}

/**
 * What may come next: `words` are the command line after the program's name,
 * the last one being the word under the cursor (empty when it is a new word).
 */
export function complete(program: Command, words: readonly string[]): Completion {
  const current = words.at(-1) ?? '';
  const w = walk(program, words.slice(0, -1));
  if (w.pending) return valueOf(w.pending, current);
  if (!w.rest && current.startsWith('-')) {
    const eq = current.indexOf('=');
    if (current.startsWith('--') && eq > 0) {
      const option = findOption(w.command, current.slice(0, eq));
      return option?.required ? valueOf(option, current.slice(eq + 1), current.slice(0, eq + 1)) : matching([], current);
    }
    const flags = optionsOf(w.command).flatMap((o) =>
      [o.long, o.short].filter((f): f is string => f !== undefined).map((f) => ({ value: f, description: oneLine(o.description) })),
    );
    return matching(flags, current);
  }
  const subs = subcommandsOf(w.command);
  if (subs.length && w.positionals === 0) {
    return matching(
      subs.flatMap((c) => [c.name(), ...c.aliases()].map((value) => ({ value, description: oneLine(c.description()) }))),
      current,
    );
  }
  const args = w.command.registeredArguments;
  const last = args.at(-1);
  const arg = args[w.positionals] ?? (last?.variadic ? last : undefined);
  if (arg instanceof AuctionIdArgument) return { kind: 'auctions', prefix: current, url: w.url };
  if (arg?.argChoices) return matching(arg.argChoices.map((value) => ({ value })), current);
  return { kind: 'words', candidates: [] };
}

/**
 * Bash splits words at `=` and `:` (COMP_WORDBREAKS), so `--url=http://x:1`
 * arrives as seven words. Joins them back, and says how much of the joined
 * last word bash does not count as the word being completed: the candidates
 * must be cut by that much.
 */
export function joinBashWords(words: readonly string[]): { words: string[]; cut: number } {
  const joined: string[] = [];
  let glue = false;
  for (const word of words) {
    const isBreak = /^[=:]+$/.test(word);
    if ((isBreak || glue) && joined.length) joined[joined.length - 1] += word;
    else joined.push(word);
    glue = isBreak;
  }
  const last = words.at(-1) ?? '';
  return { words: joined, cut: (joined.at(-1) ?? '').length - last.length };
}
