// The defaults of the limits per peer (docs/protocol.md, "Limits per peer"),
// shared by the daemon and the `neighborbid daemon` flags. No I/O, no imports:
// the CLI loads it on every command.

/** Plain HTTP connections open at once from one address. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 256;

/** WebSockets open at once from one address. */
export const DEFAULT_MAX_SOCKETS_PER_IP = 1024;

export interface RateLimitOptions {
  /** Requests one user token (or one address without a token) may make per window. */
  max: number;
  /** The window, in milliseconds. */
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 1000, windowMs: 10_000 };
