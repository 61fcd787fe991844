/** Redis URLs (no Node.js built-in here: the browser entry reaches this file through redisExecutor). */
import { ValueError } from '../errors.js';

/** Where a Redis server is, from a `redis://` or `rediss://` URL. */
export interface RedisTarget {
  url: string;
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
}

/** Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
export function parseRedisUrl(url: string): RedisTarget {
  if (typeof url !== 'string' || url === '') throw new ValueError('Redis: url must be a non-empty string like redis://127.0.0.1:6379');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValueError(`Redis: '${url}' is not a URL (expected redis://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ValueError(`Redis: '${url}' must start with redis:// or rediss://`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 65_535) throw new ValueError(`Redis: '${url}' names database '${dbText}', expected a number`);
  return {
    url,
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    tls: u.protocol === 'rediss:',
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
  };
}
