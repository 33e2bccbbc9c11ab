// Every command's help ends with examples of itself, and the program's help
// names the environment variables and the config file.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/cli.js';

/** Every command a person can ask help for, with its words: `neighborbid auction create`. */
function everyCommand(command: Command, path: string[] = []): { path: string; command: Command }[] {
  const here = [...path, command.name()];
  const visible = command.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);
  return [{ path: here.join(' '), command }, ...visible.flatMap((c) => everyCommand(c, here))];
}

/** The help text as `--help` prints it, after-texts included. */
function helpOf(command: Command): string {
  let text = '';
  for (let c: Command | null = command; c; c = c.parent) c.configureOutput({ writeOut: (s) => (text += s), outputError: () => {} });
  command.outputHelp();
  return text;
}

describe('help', () => {
  const commands = everyCommand(buildProgram());

  it('covers every command, groups and the program included', () => {
    const paths = commands.map((c) => c.path);
    for (const p of ['neighborbid', 'neighborbid auction', 'neighborbid auction create', 'neighborbid user token', 'neighborbid status', 'neighborbid completion']) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain('neighborbid __complete');
  });

  it.each(commands.map((c) => [c.path, c.command] as const))('of %s ends with two or three examples of it', (path, command) => {
    const help = helpOf(command);
    const examples = /\nExamples:\n((?: {2}\$ .+\n){2,3})$/.exec(help);
    expect(examples, help).not.toBeNull();
    // Each runs the command itself (a group's, one of its subcommands), by its name or an alias.
    const names = [command.name(), ...command.aliases()].join('|');
    const itself = new RegExp(`${path.split(' ').slice(0, -1).concat(`(${names})`).join(' ')}( |$)`);
    for (const line of examples![1]!.trimEnd().split('\n')) expect(line).toMatch(itself);
  });

  it('names the environment variables and the config file', () => {
    const help = helpOf(buildProgram());
    for (const name of ['NEIGHBORBID_URL', 'NEIGHBORBID_TOKEN', 'NEIGHBORBID_ADMIN_TOKEN', 'NEIGHBORBID_DATA_DIR', 'NO_COLOR', 'FORCE_COLOR', '--color', '--no-color']) {
      expect(help).toContain(name);
    }
    expect(help).toMatch(/Config file .*\n {2}\/.*\/neighborbid\/config\.json\n/);
  });

  it('of the bench (which prints its own) ends with its examples too', async () => {
    const r = await runCli(['bench', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--duration <s>[\s\S]*\nExamples:\n( {2}\$ neighborbid bench .+\n){3}$/);
  });
});
