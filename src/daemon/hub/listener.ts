// The LISTEN side: one dedicated connection that hears every daemon's
// notifications. When it drops (a database restart, a network cut) it is
// re-established with backoff, and `onListen` runs after every (re)start so
// the hub can read from the outbox whatever it missed while deaf.
import type { Logger } from 'pino';
import postgres from 'postgres';
import { errorFields } from '../log-fields.js';
import { NOTIFY_CHANNEL } from './doorbell.js';

export interface ListenerOptions {
  url: string;
  applicationName: string;
  onPayload(text: string): void;
  onListen(): void;
  log: Logger;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

export class Listener {
  private readonly sql: postgres.Sql;
  private stopped = false;
  private establishing: Promise<void> | null = null;
  private wasDown = false;

  constructor(private readonly o: ListenerOptions) {
    // onnotify is a driver option its typings leave out (sql.listen uses it internally).
    const options = {
      max: 1,
      max_lifetime: null,
      connect_timeout: 5,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: o.applicationName },
      onnotify: (channel: string, payload: string) => {
        if (channel === NOTIFY_CHANNEL) o.onPayload(payload);
      },
      onclose: () => {
        if (this.stopped) return;
        this.wasDown = true;
        void this.establish();
      },
    };
    this.sql = postgres(o.url, options as unknown as postgres.Options<Record<string, never>>);
  }

  /** Listens; resolves once the first LISTEN is in place. */
  start(): Promise<void> {
    return this.establish();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.establishing?.catch(() => {});
    await this.sql.end({ timeout: 2 });
  }

  private establish(): Promise<void> {
    this.establishing ??= (async () => {
      let delay = RETRY_MIN_MS;
      for (let attempt = 1; !this.stopped; attempt++) {
        try {
          await this.sql.unsafe(`LISTEN ${NOTIFY_CHANNEL}`);
          if (this.wasDown) this.o.log.info({ attempt }, "listening again for other daemons' events");
          this.wasDown = false;
          this.establishing = null;
          this.o.onListen();
          return;
        } catch (err) {
          if (attempt === 1) this.o.log.warn(errorFields(this.o.log, err), 'LISTEN connection lost; reconnecting');
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(RETRY_MAX_MS, delay * 2);
        }
      }
      this.establishing = null;
    })();
    return this.establishing;
  }
}
