// One data directory, one daemon: a lock held for the life of the process and
// gone when it dies, even by kill -9. Node has no flock, so the lock is a
// listening Unix socket in Linux's abstract namespace, named after the data
// directory's device and inode: binding is atomic (of two daemons started at
// once exactly one gets it), the kernel drops the name when its process dies
// however it dies, and no file is left behind to go stale. The holder answers
// whoever connects with its pid, which the refusal names. Why not a pid file:
// deciding that one is stale (pid alive? reused?) and taking it over is a race
// between two starting daemons. On other systems the same guarantees come from
// an open(2) with O_EXLOCK (BSD, macOS). See docs/design.md, "Embedded PostgreSQL".
import { createHash } from 'node:crypto';
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { platform } from 'node:os';
import { join } from 'node:path';
import { StartRefusal } from '../../start-refusal.js';

export interface DataDirLock {
  /** Lets the next daemon in (also done by the kernel when this process dies). */
  release(): Promise<void>;
}

/** How long a holder may take to say its pid (a holder frozen by SIGSTOP never does). */
const ASK_MS = 1000;

function refusal(pid: number | undefined): StartRefusal {
  const who = pid === undefined ? 'another process' : `pid ${pid}`;
  return new StartRefusal(`data directory in use by ${who} — for several daemons, give them one PostgreSQL with --database-url`);
}

/** Takes the data directory's lock, or refuses to start naming the daemon that holds it. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const { dev, ino } = await stat(dataDir);
  const id = createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32);
  const pidFile = join(dataDir, 'daemon.pid');
  if (platform() === 'linux') return socketLock(`\0neighborbid-data-dir-${id}`, pidFile);
  return openLock(join(dataDir, 'daemon.lock'));
}

async function socketLock(name: string, pidFile: string): Promise<DataDirLock> {
  // Each round: bind, or ask the holder. A holder that dies between the two lets the next round bind.
  for (let round = 0; round < 10; round++) {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`${process.pid}\n`);
    });
    const bound = await new Promise<boolean>((ok, fail) => {
      server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? ok(false) : fail(err)));
      server.listen({ path: name }, () => ok(true));
    });
    if (bound) {
      server.unref();
      // For people, and for the refusal when this daemon is frozen and cannot answer.
      await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
      return {
        async release() {
          if (readPid(pidFile) === process.pid) await rm(pidFile, { force: true });
          await closeServer(server);
        },
      };
    }
    const holder = await askHolder(name);
    if (holder === 'gone') continue;
    // Frozen (SIGSTOP) or too busy to answer: the pid it wrote for people to read.
    throw refusal(holder === 'silent' ? readPid(pidFile) : holder);
  }
  throw refusal(undefined);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}

/** The holder's pid, 'gone' when nothing holds the name any more, 'silent' when it does not answer. */
function askHolder(name: string): Promise<number | 'gone' | 'silent'> {
  return new Promise((resolve) => {
    const socket = connect({ path: name });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('silent');
    }, ASK_MS);
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => {
      clearTimeout(timer);
      resolve('gone');
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      const pid = Number(text.trim());
      resolve(Number.isSafeInteger(pid) && pid > 0 ? pid : 'silent');
    });
  });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// BSD and macOS: open(2) with O_EXLOCK takes flock(2)'s exclusive lock as it
// opens, and with O_NONBLOCK fails at once when another process holds it.
const O_EXLOCK = 0x20;

async function openLock(file: string): Promise<DataDirLock> {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NONBLOCK | O_EXLOCK, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN' || (err as NodeJS.ErrnoException).code === 'EWOULDBLOCK') throw refusal(readPid(file));
    throw err;
  }
  ftruncateSync(fd);
  writeSync(fd, `${process.pid}\n`);
  return {
    async release() {
      closeSync(fd);
    },
  };
}
