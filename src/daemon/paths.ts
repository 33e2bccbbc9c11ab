// Where neighborbid keeps its files, following the XDG base directory spec.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_DATA_HOME/neighborbid`, else `~/.local/share/neighborbid`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'neighborbid');
}

export function adminTokenFile(dataDir: string): string {
  return join(dataDir, 'admin-token');
}
