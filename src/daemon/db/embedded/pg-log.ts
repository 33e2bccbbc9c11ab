// How the embedded PostgreSQL's jobs say what they did: a fixed sentence and
// its facts as fields, which the daemon logs as one line.
export type PgLog = (message: string, fields?: Record<string, unknown>) => void;
