/**
 * A small Redis client (RESP2 over one TCP or TLS socket) shaped as BullMQ's
 * `IRedisClient`, the interface BullMQ accepts for a custom driver. BullMQ 6
 * no longer bundles a Redis driver (ioredis and node-redis are optional
 * peers); this one keeps the distributed executor free of a second optional
 * dependency. Replies come back as ioredis gives them (RESP2 arrays, strings,
 * integers, null), which is what BullMQ expects.
 *
 * Only what BullMQ's Queue, Worker and QueueEvents call is here, plus the few
 * commands the executor itself uses (binary GET/SET for the stored data).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { FrugalError, LimitError } from '../errors.js';
import type { RedisTarget } from './redis-url.js';

/** The largest single reply accepted from the server (a stored data set is read in one reply). */
export const MAX_REPLY_BYTES = 512 * 1024 * 1024;
const MAX_ARRAY_LENGTH = 10_000_000;
const MAX_NESTING = 16;

type Arg = string | number | Buffer;
type Reply = string | number | Buffer | null | Error | Reply[];

/** The error BullMQ recognises as a closed connection (its own ConnectionClosedError has this message). */
const CLOSED_MESSAGE = 'Connection is closed.';

class Incomplete {
  constructor(readonly need: number) {}
}

/** Parses one RESP2 reply from `buf` at `pos`; returns it with the next position, or Incomplete. */
function parseReply(buf: Buffer, pos: number, asBuffers: boolean, depth: number): [Reply, number] | Incomplete {
  if (depth > MAX_NESTING) throw new LimitError(`Redis: a reply nested more than ${MAX_NESTING} levels`);
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return new Incomplete(buf.length + 1);
  const type = buf[pos];
  const line = buf.toString('latin1', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [new Error(buf.toString('utf8', pos + 1, eol)), next];
    case 0x3a: // :
      return [Number(line), next];
    case 0x24: {
      // $
      const len = Number(line);
      if (len === -1) return [null, next];
      if (!Number.isInteger(len) || len < 0 || len > MAX_REPLY_BYTES) throw new LimitError(`Redis: a reply of ${line} bytes is more than the limit of ${MAX_REPLY_BYTES}`);
      if (buf.length < next + len + 2) return new Incomplete(next + len + 2);
      const body = buf.subarray(next, next + len);
      return [asBuffers ? Buffer.from(body) : body.toString('utf8'), next + len + 2];
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n === -1) return [null, next];
      if (!Number.isInteger(n) || n < 0 || n > MAX_ARRAY_LENGTH) throw new LimitError(`Redis: an array reply of ${line} items is more than the limit of ${MAX_ARRAY_LENGTH}`);
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, at, asBuffers, depth + 1);
        if (r instanceof Incomplete) return r;
        items.push(r[0]);
        at = r[1];
      }
      return [items, at];
    }
    default:
      throw new FrugalError(`Redis: unexpected reply byte ${type} from the server`);
  }
}

function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Pending {
  resolve(value: Reply): void;
  reject(err: Error): void;
  asBuffers: boolean;
}

interface Script {
  sha: string;
  lua: string;
  numberOfKeys: number;
}

function scriptArgs(script: Script, args: unknown[]): Arg[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const keys = list.slice(0, script.numberOfKeys).map(String);
  const argv = list.slice(script.numberOfKeys).map((a) => (Buffer.isBuffer(a) ? a : a === undefined || a === null ? '' : String(a)));
  return [script.numberOfKeys, ...keys, ...argv];
}

function pairsToObject(reply: Reply): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

function flatten(fields: Record<string, string | number>): Arg[] {
  const out: Arg[] = [];
  for (const [k, v] of Object.entries(fields)) out.push(k, v);
  return out;
}

/** A batch of commands sent together: `multi` wraps them in MULTI/EXEC, `pipeline` does not. */
class Batch {
  private readonly commands: { args: Arg[]; transform?: (r: Reply) => unknown }[] = [];
  constructor(
    private readonly client: RespClient,
    private readonly atomic: boolean,
  ) {}
  private add(args: Arg[], transform?: (r: Reply) => unknown): this {
    this.commands.push({ args, transform });
    return this;
  }
  hgetall(key: string): this {
    return this.add(['HGETALL', key], pairsToObject);
  }
  hset(key: string, data: Record<string, string | number>): this {
    return this.add(['HSET', key, ...flatten(data)]);
  }
  hscan(key: string, cursor: string | number, options?: { COUNT?: number }): this {
    return this.add(['HSCAN', key, cursor, ...(options?.COUNT ? ['COUNT', options.COUNT] : [])]);
  }
  smembers(key: string): this {
    return this.add(['SMEMBERS', key]);
  }
  sscan(key: string, cursor: string | number, options?: { COUNT?: number }): this {
    return this.add(['SSCAN', key, cursor, ...(options?.COUNT ? ['COUNT', options.COUNT] : [])]);
  }
  zrange(key: string, start: number, end: number): this {
    return this.add(['ZRANGE', key, start, end]);
  }
  lrange(key: string, start: number, end: number): this {
    return this.add(['LRANGE', key, start, end]);
  }
  llen(key: string): this {
    return this.add(['LLEN', key]);
  }
  del(...keys: string[]): this {
    return keys.length ? this.add(['DEL', ...keys]) : this;
  }
  runCommand(name: string, args: unknown[]): this {
    const script = this.client.script(name);
    return this.add(['EVALSHA', script.sha, ...scriptArgs(script, args)]);
  }
  async exec(): Promise<[Error | null, unknown][] | null> {
    const cmds = this.commands.splice(0);
    const wrap = (r: Reply, i: number): [Error | null, unknown] => (r instanceof Error ? [r, null] : [null, cmds[i].transform ? cmds[i].transform!(r) : r]);
    if (!this.atomic) {
      const replies = await Promise.all(
        cmds.map((c) =>
          this.client.send(c.args).then(
            (r) => r as Reply,
            (e: Error) => e,
          ),
        ),
      );
      return replies.map(wrap);
    }
    const swallow = (): void => {};
    this.client.send(['MULTI']).catch(swallow);
    for (const c of cmds) this.client.send(c.args).catch(swallow);
    const results = (await this.client.send(['EXEC'])) as Reply[] | null;
    return results ? results.map(wrap) : null;
  }
}

export interface RespClientOptions {
  connectionName?: string;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}

/** One connection to a Redis server; `duplicate()` opens another to the same server. */
export class RespClient extends EventEmitter {
  status: 'wait' | 'connecting' | 'ready' | 'end' = 'wait';
  readonly isCluster = false;
  options: Record<string, unknown> = {};
  private socket: Socket | undefined;
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = 1;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private readonly scripts = new Map<string, Script>();
  [command: string]: unknown;

  constructor(
    readonly target: RedisTarget,
    private readonly clientOptions: RespClientOptions = {},
  ) {
    super();
  }

  connect(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    this.connecting ??= this.open();
    return this.connecting;
  }

  private open(): Promise<void> {
    const { host, port, tls } = this.target;
    this.status = 'connecting';
    return new Promise<void>((resolve, reject) => {
      const socket = tls ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(
        () => socket.destroy(new FrugalError(`Redis at ${this.target.url}: no connection after ${this.clientOptions.connectTimeoutMs ?? 10_000} ms`)),
        this.clientOptions.connectTimeoutMs ?? 10_000,
      );
      let settled = false;
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        this.handshake().then(
          () => {
            settled = true;
            this.status = 'ready';
            this.emit('ready');
            resolve();
          },
          (err: Error) => {
            settled = true;
            reject(err);
            socket.destroy();
          },
        );
      });
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.on('error', (err) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          reject(err);
        }
        if (!this.closing) this.emit('error', err);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        this.status = 'end';
        const waiting = this.pending.splice(0);
        for (const p of waiting) this.closing ? p.resolve(null) : p.reject(new Error(CLOSED_MESSAGE));
        this.emit('close');
        this.emit('end');
      });
    });
  }

  private async handshake(): Promise<void> {
    const { username, password, db } = this.target;
    if (password !== undefined) await this.send(username ? ['AUTH', username, password] : ['AUTH', password]);
    if (db !== 0) await this.send(['SELECT', db]);
    if (this.clientOptions.connectionName) await this.send(['CLIENT', 'SETNAME', this.clientOptions.connectionName]);
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.need) return;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    let pos = 0;
    try {
      while (pos < buf.length && this.pending.length > 0) {
        const r = parseReply(buf, pos, this.pending[0].asBuffers, 0);
        if (r instanceof Incomplete) {
          this.need = r.need - pos;
          break;
        }
        pos = r[1];
        this.need = 1;
        const p = this.pending.shift()!;
        if (r[0] instanceof Error) p.reject(r[0]);
        else p.resolve(r[0]);
      }
    } catch (err) {
      this.socket?.destroy(err as Error);
      return;
    }
    buf = buf.subarray(pos);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
  }

  /** Sends one command; resolves with its reply (rejects with the server's error). */
  send(args: readonly Arg[], asBuffers = false): Promise<Reply> {
    if (this.status === 'end' || !this.socket) return Promise.reject(new Error(CLOSED_MESSAGE));
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject, asBuffers });
      this.socket!.write(encodeCommand(args));
    });
  }

  disconnect(): void {
    this.closing = true;
    if (this.socket) this.socket.destroy();
    else this.status = 'end';
  }

  async quit(): Promise<string> {
    this.closing = true;
    if (this.status === 'ready') await this.send(['QUIT']).catch(() => null);
    this.socket?.destroy();
    this.status = 'end';
    return 'OK';
  }

  duplicate(options?: { connectionName?: string }): RespClient {
    const dup = new RespClient(this.target, { ...this.clientOptions, connectionName: options?.connectionName ?? this.clientOptions.connectionName });
    for (const [name, script] of this.scripts) dup.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    return dup;
  }

  // ---------------------------------------------------------------- scripts

  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void {
    const sha = createHash('sha1').update(definition.lua).digest('hex');
    this.scripts.set(name, { sha, lua: definition.lua, numberOfKeys: definition.numberOfKeys });
    this[name] = (...args: unknown[]) => this.runCommand(name, args);
    if (this.status === 'ready') this.send(['SCRIPT', 'LOAD', definition.lua]).catch(() => {});
  }

  /** @internal */
  script(name: string): Script {
    const script = this.scripts.get(name);
    if (!script) throw new FrugalError(`Redis: unknown script command '${name}'`);
    return script;
  }

  async runCommand(name: string, args: unknown[]): Promise<unknown> {
    const script = this.script(name);
    const rest = scriptArgs(script, args);
    try {
      return await this.send(['EVALSHA', script.sha, ...rest]);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return this.send(['EVAL', script.lua, ...rest]);
    }
  }

  multi(): Batch {
    return new Batch(this, true);
  }

  pipeline(): Batch {
    return new Batch(this, false);
  }

  // ---------------------------------------------------------------- commands BullMQ calls

  async hgetall(key: string): Promise<Record<string, string>> {
    return pairsToObject(await this.send(['HGETALL', key]));
  }
  hget(key: string, field: string): Promise<Reply> {
    return this.send(['HGET', key, field]);
  }
  hmget(key: string, ...fields: string[]): Promise<Reply> {
    return this.send(['HMGET', key, ...fields.flat()]);
  }
  hset(key: string, data: Record<string, string | number>): Promise<Reply> {
    return this.send(['HSET', key, ...flatten(data)]);
  }
  hdel(key: string, ...fields: string[]): Promise<Reply> {
    return this.send(['HDEL', key, ...fields]);
  }
  hexists(key: string, field: string): Promise<Reply> {
    return this.send(['HEXISTS', key, field]);
  }
  get(key: string): Promise<Reply> {
    return this.send(['GET', key]);
  }
  /** GET with the value as bytes (null when the key is absent). */
  async getBuffer(key: string): Promise<Buffer | null> {
    return (await this.send(['GET', key], true)) as Buffer | null;
  }
  set(key: string, value: Arg, options?: { PX?: number; EX?: number; NX?: boolean }): Promise<Reply> {
    const args: Arg[] = ['SET', key, value];
    if (options?.PX !== undefined) args.push('PX', options.PX);
    if (options?.EX !== undefined) args.push('EX', options.EX);
    if (options?.NX) args.push('NX');
    return this.send(args);
  }
  async del(...keys: string[]): Promise<number> {
    const list = keys.flat();
    return list.length ? ((await this.send(['DEL', ...list])) as number) : 0;
  }
  exists(...keys: string[]): Promise<Reply> {
    return this.send(['EXISTS', ...keys]);
  }
  expire(key: string, seconds: number): Promise<Reply> {
    return this.send(['EXPIRE', key, seconds]);
  }
  zrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean } | string): Promise<Reply> {
    const withScores = options === 'WITHSCORES' || (typeof options === 'object' && options?.WITHSCORES);
    return this.send(['ZRANGE', key, start, end, ...(withScores ? ['WITHSCORES'] : [])]);
  }
  zrevrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean } | string): Promise<Reply> {
    const withScores = options === 'WITHSCORES' || (typeof options === 'object' && options?.WITHSCORES);
    return this.send(['ZREVRANGE', key, start, end, ...(withScores ? ['WITHSCORES'] : [])]);
  }
  zcard(key: string): Promise<Reply> {
    return this.send(['ZCARD', key]);
  }
  zscore(key: string, member: string): Promise<Reply> {
    return this.send(['ZSCORE', key, member]);
  }
  lrange(key: string, start: number, end: number): Promise<Reply> {
    return this.send(['LRANGE', key, start, end]);
  }
  llen(key: string): Promise<Reply> {
    return this.send(['LLEN', key]);
  }
  ltrim(key: string, start: number, end: number): Promise<Reply> {
    return this.send(['LTRIM', key, start, end]);
  }
  lpos(key: string, value: string): Promise<Reply> {
    return this.send(['LPOS', key, value]);
  }
  smembers(key: string): Promise<Reply> {
    return this.send(['SMEMBERS', key]);
  }
  xadd(key: string, id: string, fields: Record<string, string | number>, options?: { MAXLEN?: number; approximate?: boolean }): Promise<Reply> {
    const args: Arg[] = ['XADD', key];
    if (options?.MAXLEN != null) args.push('MAXLEN', ...(options.approximate !== false ? ['~'] : []), options.MAXLEN);
    return this.send([...args, id, ...flatten(fields)]);
  }
  xread(streams: { key: string; id: string }[], options?: { BLOCK?: number; COUNT?: number }): Promise<Reply> {
    const args: Arg[] = ['XREAD'];
    if (options?.BLOCK != null) args.push('BLOCK', options.BLOCK);
    if (options?.COUNT != null) args.push('COUNT', options.COUNT);
    return this.send([...args, 'STREAMS', ...streams.map((s) => s.key), ...streams.map((s) => s.id)]);
  }
  xtrim(key: string, strategy: 'MAXLEN', threshold: number, options?: { approximate?: boolean }): Promise<Reply> {
    return this.send(['XTRIM', key, strategy, ...(options?.approximate !== false ? ['~'] : []), threshold]);
  }
  bzpopmin(key: string, timeout: number): Promise<Reply> {
    return this.send(['BZPOPMIN', key, timeout]);
  }
  async info(): Promise<string> {
    return String(await this.send(['INFO']));
  }
  clientSetName(name: string): Promise<Reply> {
    return this.send(['CLIENT', 'SETNAME', name]);
  }
  async clientList(): Promise<string> {
    return String(await this.send(['CLIENT', 'LIST']));
  }
  async clientInfo(): Promise<string> {
    return String(await this.send(['CLIENT', 'INFO']));
  }
  async scan(cursor: string | number, options: { MATCH?: string; COUNT?: number } = {}): Promise<[string, string[]]> {
    const args: Arg[] = ['SCAN', cursor];
    if (options.MATCH) args.push('MATCH', options.MATCH);
    if (options.COUNT) args.push('COUNT', options.COUNT);
    const [next, keys] = (await this.send(args)) as [string, string[]];
    return [next, keys];
  }
  scanStream(options: { match: string; count?: number }): Readable {
    let cursor = '0';
    let done = false;
    const stream: Readable = new Readable({
      objectMode: true,
      read: () => {
        if (done) return;
        this.scan(cursor, { MATCH: options.match, COUNT: options.count }).then(
          ([next, keys]) => {
            cursor = next;
            done = next === '0';
            stream.push(keys);
            if (done) stream.push(null);
          },
          (err: Error) => stream.destroy(err),
        );
      },
    });
    return stream;
  }
}
