/**
 * A Redis for the distributed tests and bench: the one CI started
 * (FRUGAL_TEST_REDIS_URL, see .ci/run), or a private redis-server on a free
 * loopback port (never 6379), stopped by `stop()`. Without either, it fails
 * with a message saying what to install: these tests never skip silently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeRedis, createRedis } from '../../src/distributed/ioredis.js';
import { parseRedisUrl } from '../../src/distributed/redis-url.js';

export const REDIS_URL_ENV = 'FRUGAL_TEST_REDIS_URL';
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function ping(url: string): Promise<boolean> {
  const c = await createRedis(parseRedisUrl(url), { mode: 'check', connectTimeoutMs: 500 });
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    await closeRedis(c);
  }
}

/** The Redis to test against. */
export async function startRedis(): Promise<LocalRedis> {
  const given = process.env[REDIS_URL_ENV];
  if (given) return { url: given, stop: async () => {} };
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const spawnError = new Promise<Error>((resolve) => server.once('error', resolve));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (failed) throw new Error(`redis-server could not be started (${failed.message}): install it (apt-get install redis-server) or set ${REDIS_URL_ENV} to a Redis URL`);
    if (await ping(url)) {
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            server.once('exit', () => resolve());
            server.kill('SIGTERM');
          }),
      };
    }
  }
  server.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}

export interface WorkerProcess {
  process: ChildProcess;
  /** Kills the worker and the trial process it runs (its process group). */
  kill(): void;
  /** Asks it to stop (SIGTERM) and waits. */
  stop(): Promise<void>;
}

/** Starts `frugal worker` in its own process group; resolves once it is taking trials. */
export function startWorkerProcess(url: string, queue: string, extra: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [MAIN, 'worker', '--redis', url, '--queue', queue, ...extra], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const handle: WorkerProcess = {
    process: child,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const onData = (chunk: Buffer): void => {
      err += chunk.toString();
      if (err.includes('worker ready')) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve(handle);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`frugal worker exited with ${code}: ${err}`)));
  });
}
