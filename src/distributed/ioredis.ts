/**
 * ioredis, the Redis client BullMQ is built for, loaded only when trials go
 * to Redis: like bullmq it is an optional peer dependency, so the in-process
 * default and the browser entry never load it.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { FrugalError } from '../errors.js';
import { importUnbundled } from '../platform/dynamic-import.js';
import type { RedisTarget } from './redis-url.js';

export type { Redis };
type RedisClass = new (options: RedisOptions) => Redis;

let loaded: Promise<RedisClass> | undefined;

/** The ioredis client class, or a FrugalError saying how to install it. */
export function loadIoredis(): Promise<RedisClass> {
  loaded ??= importUnbundled<{ Redis?: RedisClass; default?: RedisClass | { Redis?: RedisClass } }>('ioredis').then(
    (mod) => {
      const cls = mod.Redis ?? (typeof mod.default === 'function' ? mod.default : mod.default?.Redis);
      if (typeof cls !== 'function') throw new Error('the ioredis module exports no Redis class');
      return cls;
    },
    (err: unknown) => {
      loaded = undefined;
      throw new FrugalError(`running trials on Redis needs the optional packages bullmq and ioredis (npm install bullmq ioredis): ${(err as Error).message}`);
    },
  );
  return loaded;
}

export interface RedisClientOptions {
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * 'check': one connection attempt, no reconnection, commands fail at once
   * while not connected (for the check before any work and short-lived
   * clients). 'bullmq': what BullMQ needs of the connection it is given
   * (no per-command retry limit, reconnects with back-off).
   */
  mode: 'check' | 'bullmq';
}

/** A new, not yet connected ioredis client for `target` (its `error` events are swallowed: failures surface as rejected commands). */
export async function createRedis(target: RedisTarget, options: RedisClientOptions): Promise<Redis> {
  const Redis = await loadIoredis();
  const check = options.mode === 'check';
  const client = new Redis({
    host: target.host,
    port: target.port,
    username: target.username,
    password: target.password,
    db: target.db,
    tls: target.tls ? { servername: target.host } : undefined,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    lazyConnect: true,
    maxRetriesPerRequest: check ? 0 : null,
    enableOfflineQueue: !check,
    retryStrategy: check ? () => null : (times: number) => Math.max(Math.min(Math.exp(times), 20_000), 1000),
  });
  client.on('error', () => {});
  return client;
}

/** Closes a client whatever its state (QUIT when connected, otherwise drops the socket). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  client.disconnect();
}
