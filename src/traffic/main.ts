#!/usr/bin/env node
// zonlab's own traffic tool: a backend server that answers with its name, and clients for the
// behaviour checks (spread, hold, rr, crr). It imports nothing but Node's own modules: it runs
// inside lab namespaces (`ip netns exec NS node main.js …`) and must start fast. Every mode is
// bounded in count and time and stops by itself; a client prints one JSON document on stdout.
//
// The protocol (TCP): the server writes its name and "\n" on each new connection, then echoes
// every line back; the line "quit" makes it close the connection first (so the TIME_WAIT is the
// server's, and a client may bind the same source port again for the next spread). UDP: each
// datagram is answered with "NAME PAYLOAD".
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, isIP, type Socket } from 'node:net';

type Args = Record<string, string>;

/** `--key value` pairs after the mode; a flag without a value is "1". */
export function parseArgs(argv: string[]): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[k.slice(2)] = '1';
    else {
      out[k.slice(2)] = next;
      i++;
    }
  }
  return out;
}

function num(a: Args, key: string, dflt: number, max: number): number {
  const v = a[key] === undefined ? dflt : Number(a[key]);
  if (!Number.isFinite(v) || v < 0 || v > max) throw new Error(`--${key} ${a[key]}: a number from 0 to ${max}`);
  return v;
}

function need(a: Args, key: string): string {
  const v = a[key];
  if (v === undefined) throw new Error(`--${key} is required`);
  return v;
}

/** Splits a stream into lines. */
function lines(sock: Socket, onLine: (line: string) => void): void {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

function server(a: Args): void {
  const name = need(a, 'name');
  const address = need(a, 'address');
  const port = num(a, 'port', 0, 65535);
  const maxMs = num(a, 'max-seconds', 600, 86_400) * 1000;
  let accepted = 0;
  let datagrams = 0;
  const peers = new Set<string>();
  const tcp = createServer((sock) => {
    accepted++;
    if (sock.remoteAddress) peers.add(sock.remoteAddress);
    sock.setNoDelay(true);
    sock.on('error', () => {
      /* a reset by the client or a test: nothing to say */
    });
    sock.write(`${name}\n`);
    lines(sock, (line) => {
      if (line === 'quit') sock.end();
      else sock.write(`${line}\n`);
    });
  });
  const udp: UdpSocket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
  udp.on('message', (msg, rinfo) => {
    datagrams++;
    peers.add(rinfo.address);
    udp.send(`${name} ${msg.toString('utf8')}`, rinfo.port, rinfo.address);
  });
  const finish = () => {
    process.stdout.write(`${JSON.stringify({ name, accepted, datagrams, peers: [...peers].slice(0, 64) })}\n`, () =>
      process.exit(0),
    );
  };
  process.on('SIGTERM', finish);
  process.on('SIGINT', finish);
  setTimeout(finish, maxMs).unref();
  tcp.listen({ host: address, port, backlog: 4096 });
  udp.bind(port, address);
  // keeps the process alive until a signal or the time limit
  setInterval(() => {}, 1 << 30);
}

const now = () => Number(process.hrtime.bigint() / 1000n) / 1000; // ms, sub-ms precision

interface Conn {
  sock: Socket;
  firstLine: Promise<string>;
}

/** A TCP connection and its first line (the backend's name); rejects on error or timeout. */
function open(
  to: string,
  port: number,
  timeoutMs: number,
  localPort?: number,
  localAddress?: string,
): Conn & { nextLine(): Promise<string> } {
  const sock = connect({
    host: to,
    port,
    ...(localPort ? { localPort } : {}),
    ...(localAddress ? { localAddress } : {}),
  });
  sock.setNoDelay(true);
  const queue: string[] = [];
  const waiting: { resolve(l: string): void; reject(e: Error): void; timer: NodeJS.Timeout }[] = [];
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(failure);
    }
  };
  sock.on('error', (e: NodeJS.ErrnoException) =>
    fail(new Error(e.code === 'ECONNRESET' ? 'reset' : (e.code ?? e.message))),
  );
  sock.on('end', () => fail(new Error('closed')));
  lines(sock, (l) => {
    const w = waiting.shift();
    if (w) {
      clearTimeout(w.timer);
      w.resolve(l);
    } else queue.push(l);
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const q = queue.shift();
      if (q !== undefined) return resolve(q);
      if (failure) return reject(failure);
      const timer = setTimeout(() => {
        const i = waiting.findIndex((w) => w.timer === timer);
        if (i >= 0) waiting.splice(i, 1);
        reject(new Error('timeout'));
      }, timeoutMs);
      waiting.push({ resolve, reject, timer });
    });
  return { sock, firstLine: nextLine(), nextLine };
}

/** Waits for the server to close after "quit" (or gives up after timeoutMs). */
function quit(sock: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.destroy();
      resolve();
    }, timeoutMs);
    sock.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock.write('quit\n');
    sock.end();
  });
}

/** Runs jobs with at most `width` at a time. */
async function pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** N short connections: who answered each (by source port, so two spreads can be compared flow by flow). */
async function spread(a: Args): Promise<unknown> {
  const to = need(a, 'to');
  const port = num(a, 'port', 0, 65535);
  const n = num(a, 'connections', 100, 100_000);
  const base = a['source-port'] === undefined ? undefined : num(a, 'source-port', 0, 65535);
  const timeoutMs = num(a, 'timeout-ms', 3000, 60_000);
  const width = num(a, 'concurrency', 16, 1024);
  const udp = a.udp === '1';
  const t0 = now();
  const results = await pool(n, width, async (i): Promise<[number, string, boolean]> => {
    const localPort = base === undefined ? undefined : base + i;
    if (udp) return udpAsk(to, port, timeoutMs, localPort);
    const c = open(to, port, timeoutMs, localPort);
    try {
      const name = await c.firstLine;
      const p = c.sock.localPort ?? 0;
      await quit(c.sock, timeoutMs);
      return [p, name, true];
    } catch (e) {
      c.sock.destroy();
      return [c.sock.localPort ?? localPort ?? 0, errorText(e), false];
    }
  });
  return {
    flows: results.filter((r) => r[2]).map(([p, name]) => [p, name]),
    errors: results.filter((r) => !r[2]).map(([p, why]) => [p, why]),
    ms: Math.round(now() - t0),
  };
}

function udpAsk(to: string, port: number, timeoutMs: number, localPort?: number): Promise<[number, string, boolean]> {
  return new Promise((resolve) => {
    const s = createSocket({ type: isIP(to) === 6 ? 'udp6' : 'udp4' });
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (r: [number, string, boolean]) => {
      clearTimeout(timer);
      s.close();
      resolve(r);
    };
    const send = () => {
      // UDP may lose the first datagram (a neighbour being resolved): three tries
      if (tries++ === 3) return done([s.address().port, 'timeout', false]);
      s.send('hello', port, to);
      timer = setTimeout(send, timeoutMs / 3);
    };
    s.on('error', (e) => done([localPort ?? 0, errorText(e), false]));
    s.on('message', (m) => done([s.address().port, m.toString('utf8').split(' ')[0]!, true]));
    s.bind(localPort ?? 0, () => send());
  });
}

interface HeldConnection {
  port: number;
  backend?: string;
  tokens: number;
  longestGapMs: number;
  broken?: string;
  brokeAtMs?: number;
}

/** N long-lived connections, a token each way every interval: which broke, and the longest silence. */
async function hold(a: Args): Promise<unknown> {
  const to = need(a, 'to');
  const port = num(a, 'port', 0, 65535);
  const n = num(a, 'connections', 10, 10_000);
  const interval = num(a, 'interval-ms', 100, 60_000);
  const duration = num(a, 'duration-ms', 5000, 3_600_000);
  // a token unanswered this long is a broken connection, not a slow one
  const timeoutMs = num(a, 'timeout-ms', Math.max(2000, 10 * interval), 600_000);
  const t0 = now();
  const end = t0 + duration;
  // churn: while the connections are held, this many new short connections (fill a connection table)
  const churnFlows = num(a, 'churn', 0, 1_000_000);
  const churnSources = a['churn-sources']?.split(',') ?? [];
  const churnBase = num(a, 'churn-port', 1024, 65535);
  const churnWidth = num(a, 'churn-concurrency', 64, 1024);
  let churn: Promise<unknown> = Promise.resolve(undefined);
  // the connections are held until the churn is over, however long it takes (the time limit bounds it)
  let churning = churnFlows > 0;
  const startChurn = () => {
    churn = (async () => {
      const c0 = now();
      const errors: Record<string, number> = {};
      let done = 0;
      await pool(churnFlows, churnWidth, async (i) => {
        // flow i: source address i mod k, port base + i div k: that many distinct flows, never a port the kernel picked
        const k = Math.max(1, churnSources.length);
        const c = open(to, port, 3000, churnBase + Math.floor(i / k), churnSources[i % k]);
        try {
          await c.firstLine;
          await quit(c.sock, 3000);
          done++;
        } catch (e) {
          c.sock.destroy();
          errors[errorText(e)] = (errors[errorText(e)] ?? 0) + 1;
        }
      });
      const ms = now() - c0;
      churning = false;
      return { flows: churnFlows, done, errors, ms: Math.round(ms), perSecond: Math.round((done / ms) * 1000) };
    })();
  };
  let opened = 0;
  const conns = await Promise.all(
    Array.from({ length: n }, async (_, i): Promise<HeldConnection> => {
      const c = open(to, port, timeoutMs);
      const h: HeldConnection = { port: 0, tokens: 0, longestGapMs: 0 };
      const broke = (why: string) => {
        h.broken = why;
        h.brokeAtMs = Math.round(now() - t0);
      };
      try {
        h.backend = await c.firstLine;
        h.port = c.sock.localPort ?? 0;
        if (++opened === n && churnFlows) startChurn();
        // the connections take turns, one every interval / n: an outage longer than that meets a token
        // (in step, all 30 would send in one burst every interval and a short outage could fall between)
        await new Promise((r) => setTimeout(r, (i * interval) / n));
        let last = now();
        for (let seq = 0; now() < end || churning; seq++) {
          const token = `t${i}-${seq}`;
          c.sock.write(`${token}\n`);
          const got = await c.nextLine();
          if (got !== token) {
            broke(`wrong token (sent ${token}, got ${got.slice(0, 40)})`);
            break;
          }
          h.tokens++;
          const t = now();
          h.longestGapMs = Math.max(h.longestGapMs, t - last);
          last = t;
          const wait = churning ? interval : Math.min(interval, end - t);
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        h.longestGapMs = Math.round(h.longestGapMs * 10) / 10;
        if (!h.broken) await quit(c.sock, 2000);
      } catch (e) {
        broke(errorText(e));
        h.port ||= c.sock.localPort ?? 0;
      } finally {
        c.sock.destroy();
      }
      return h;
    }),
  );
  return { connections: conns, ms: Math.round(now() - t0), ...(churnFlows ? { churn: await churn } : {}) };
}

/** Request and response on one connection (rr), or on a new connection each (crr): the latency of each, in µs. */
async function transactions(a: Args, fresh: boolean): Promise<unknown> {
  const to = need(a, 'to');
  const port = num(a, 'port', 0, 65535);
  const count = num(a, 'count', 1000, 1_000_000);
  const size = num(a, 'size', 1, 60_000);
  const timeoutMs = num(a, 'timeout-ms', 3000, 60_000);
  const request = 'r'.repeat(Math.max(1, size - 1));
  const latencies: number[] = [];
  const backends: Record<string, number> = {};
  const errors: string[] = [];
  const t0 = now();
  let one: ReturnType<typeof open> | undefined;
  for (let i = 0; i < count; i++) {
    const t = now();
    try {
      if (fresh || !one) {
        one = open(to, port, timeoutMs);
        const name = await one.firstLine;
        backends[name] = (backends[name] ?? 0) + 1;
      }
      one.sock.write(`${request}\n`);
      const got = await one.nextLine();
      if (got !== request) throw new Error('wrong answer');
      latencies.push(Math.round((now() - t) * 1000));
      if (fresh) {
        one.sock.end();
        one = undefined;
      }
    } catch (e) {
      errors.push(errorText(e));
      one?.sock.destroy();
      one = undefined;
      if (errors.length > 10) break;
    }
  }
  one?.sock.end();
  return { latenciesUs: latencies, backends, errors, ms: Math.round((now() - t0) * 10) / 10 };
}

async function main(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  const a = parseArgs(rest);
  // a client that hangs must not outlive its check
  setTimeout(
    () => {
      process.stderr.write('zonlab traffic: time limit\n');
      process.exit(3);
    },
    num(a, 'max-seconds', 600, 86_400) * 1000,
  ).unref();
  switch (mode) {
    case 'server':
      server(a);
      return -1;
    case 'spread':
    case 'hold':
    case 'rr':
    case 'crr': {
      const out =
        mode === 'spread' ? await spread(a) : mode === 'hold' ? await hold(a) : await transactions(a, mode === 'crr');
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: main.js server|spread|hold|rr|crr --key value …\n');
      return 2;
  }
}

// run as a program, not when imported (the unit tests import parseArgs)
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`zonlab traffic: ${errorText(e)}\n`);
      process.exit(2);
    },
  );
}
