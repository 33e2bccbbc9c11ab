// Help text shared by the commands: the closing examples and the environment.

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
