// What every command implementation gets: the resolved flags, clients with the
// right identity, and one way to print (JSON or human). Loaded only when a
// command runs, together with the HTTP client.
import type { Command } from 'commander';
import { HttpClient } from '../client/http-client.js';
import { nbError } from '../protocol/errors.js';
import { configFile, readAdminToken, readConfig, resolveIdentity, type CliConfig } from './config.js';
import { colourEnabled, painter, type Paint } from './output.js';

/** The global flags plus the per-command ones every command may carry. */
export interface Flags {
  url?: string;
  token?: string;
  json?: boolean;
  verbose?: boolean;
  dataDir?: string;
}

export class Context {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Paints text for stdout. */
  readonly paint: Paint;
  readonly configFile: string;
  private loadedConfig: CliConfig | undefined;

  constructor(
    readonly flags: Flags,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Where --token's value came from, as commander says: 'cli' or 'env'. */
    private readonly tokenFrom?: string,
  ) {
    this.json = flags.json === true;
    this.verbose = flags.verbose === true;
    this.paint = painter(!this.json && colourEnabled(process.stdout, env));
    this.configFile = configFile(env);
  }

  /** The config file saved by `neighborbid login`, read once. */
  config(): CliConfig {
    this.loadedConfig ??= readConfig(this.configFile);
    return this.loadedConfig;
  }

  /** The daemon URL and user token after flags, environment and config file. */
  identity(): { url: string; token: string | undefined } {
    return resolveIdentity(this.flags, this.config());
  }

  /** Where the user token comes from, or null when there is none. */
  tokenSource(): 'flag' | 'environment' | 'config' | null {
    if (this.flags.token) return this.tokenFrom === 'env' ? 'environment' : 'flag';
    return this.identity().token ? 'config' : null;
  }

  /** A client without a token, for reading public things. */
  anonymous(): HttpClient {
    return new HttpClient({ url: this.identity().url });
  }

  /** A client acting as the user; fails before any request when there is no token. */
  user(): HttpClient {
    const { url, token } = this.identity();
    if (!token) {
      throw nbError('UNAUTHORIZED', { reason: 'needsUserToken' });
    }
    return new HttpClient({ url, token });
  }

  /** A client acting as the admin (NEIGHBORBID_ADMIN_TOKEN or the daemon's data directory). */
  admin(): HttpClient {
    return new HttpClient({ url: this.identity().url, token: readAdminToken(this.flags.dataDir, this.env) });
  }

  /** Prints the API object as JSON with --json, else its human rendering. */
  print(value: unknown, human: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
  }

  /** A remark for people on stderr (never part of the output a script parses). */
  note(text: string): void {
    process.stderr.write(`neighborbid: ${text}\n`);
  }
}

export function contextOf(command: Command): Context {
  return new Context(command.optsWithGlobals<Flags>(), process.env, command.getOptionValueSourceWithGlobals('token'));
}
