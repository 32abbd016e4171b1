import { isIP } from 'node:net';
import { formatIp, ipValue } from '../../lab/net.js';
import type { Problem } from '../errors.js';
import { asTable, type Table } from '../files.js';
import type { SourceDoc } from './validate/index.js';

/**
 * Repeated elements: a topology item with `count = N` becomes N items; `${i}` is 0…N-1 and `${n}`
 * 1…N. Checks are not repeated this way (a ping check's `count` is its number of echoes).
 */
export const MAX_COUNT = 4096;
const REPEATABLE = ['netns', 'veth', 'address', 'route', 'sysctl', 'qdisc', 'device', 'server'];

/** Expands `count` and veth address `pool`s before validation, so every derived name and address is validated like a written one. */
export function expandRepeats(src: SourceDoc, problems: Problem[]): void {
  const bad = (key: string, message: string, hint?: string) => problems.push({ file: src.file, key, message, hint });
  const pools: { key: string; base: bigint; prefix: number; bits: number }[] = [];
  for (const section of REPEATABLE) {
    const list = src.doc[section];
    if (!Array.isArray(list)) continue;
    const out: unknown[] = [];
    list.forEach((raw, k) => {
      const item = asTable(raw);
      if (!item || (item.count === undefined && item.pool === undefined)) {
        out.push(raw);
        return;
      }
      const key = `${section}[${k}]`;
      const count = item.count ?? 1;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
        bad(`${key}.count`, `${JSON.stringify(count)} is not a count`, `a whole number from 1 to ${MAX_COUNT}`);
        return;
      }
      const { count: _c, pool: _p, pool_prefix: _pp, ...template } = item;
      let pool: { base: bigint; prefix: number; bits: number; sub: number } | undefined;
      if (item.pool !== undefined) {
        if (section !== 'veth') {
          bad(`${key}.pool`, 'only a [[veth]] takes an address pool');
          return;
        }
        pool = parsePool(item.pool, item.pool_prefix, `${key}.pool`, count, bad);
        if (!pool) return;
        for (const other of pools) {
          if (overlaps(other, pool))
            bad(`${key}.pool`, `overlaps the pool of ${other.key}`, 'give each repeated link a pool of its own');
        }
        pools.push({ key, ...pool });
      }
      for (let i = 0; i < count; i++) {
        const copy = substituteIndex(template, i) as Table;
        if (pool) {
          const net = pool.base + BigInt(i) * (1n << BigInt(pool.bits - pool.sub));
          for (const [end, host] of [
            ['a', 1n],
            ['b', 2n],
          ] as const) {
            const e = asTable(copy[end]);
            if (!e) continue;
            const addrs = Array.isArray(e.addresses) ? e.addresses : [];
            e.addresses = [...addrs, `${formatIp(net + host, pool.bits)}/${pool.sub}`];
          }
        }
        out.push(copy);
      }
    });
    src.doc[section] = out;
  }
}

function substituteIndex(v: unknown, i: number): unknown {
  if (typeof v === 'string') {
    if (v === '${i}') return i;
    if (v === '${n}') return i + 1;
    return v.replace(/\$\{i\}/g, String(i)).replace(/\$\{n\}/g, String(i + 1));
  }
  if (Array.isArray(v)) return v.map((x) => substituteIndex(x, i));
  const t = asTable(v);
  if (t) return Object.fromEntries(Object.entries(t).map(([k, x]) => [k, substituteIndex(x, i)]));
  return v;
}

function parsePool(
  pool: unknown,
  prefixRaw: unknown,
  key: string,
  count: number,
  bad: (k: string, m: string, h?: string) => void,
) {
  const m = typeof pool === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(pool) : null;
  const family = m ? isIP(m[1]!) : 0;
  if (!m || family === 0) {
    bad(key, `${JSON.stringify(pool)} is not a prefix`, 'e.g. "10.128.0.0/9" or "fd00:1::/64"');
    return undefined;
  }
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  const sub = prefixRaw ?? (family === 4 ? 30 : 126);
  if (typeof sub !== 'number' || !Number.isInteger(sub) || sub < prefix || sub > bits - 2) {
    bad(
      `${key}_prefix`,
      `${JSON.stringify(sub)} does not fit the pool's /${prefix}`,
      `a prefix from /${prefix} to /${bits - 2}, leaving room for two hosts`,
    );
    return undefined;
  }
  if (prefix > bits) {
    bad(key, `/${prefix} is out of range`);
    return undefined;
  }
  const base = ipValue(m[1]!);
  const size = 1n << BigInt(sub - prefix);
  if (BigInt(count) > size) {
    bad(key, `${pool} has ${size} subnets of /${sub}, but count is ${count}`, 'a larger pool or a longer pool_prefix');
    return undefined;
  }
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  if ((base & mask) !== base) {
    bad(key, `${pool} has host bits set`, `the network is ${formatIp(base & mask, bits)}/${prefix}`);
    return undefined;
  }
  return { base, prefix, bits, sub };
}

function overlaps(
  a: { base: bigint; prefix: number; bits: number },
  b: { base: bigint; prefix: number; bits: number },
): boolean {
  if (a.bits !== b.bits) return false;
  const p = BigInt(Math.min(a.prefix, b.prefix));
  const shift = BigInt(a.bits) - p;
  return a.base >> shift === b.base >> shift;
}
