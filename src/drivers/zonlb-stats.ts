// zon-lb's counters as the lab reads them, carried across the reloads that renew its programs.
import type { ZonlbService } from '../zonlb/config.js';
import type { ServiceCount } from './driver.js';
import type { ZonlbCommand } from './zonlb-command.js';
import { mustAddressLabPrograms, type LinkReader } from './zonlb-programs.js';

/** `zon-lb stats IF` (stats.rs print_all): `name: value` rows of an InfoTable. */
export function parseStats(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z0-9_]+): (\d+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

export interface CarriedStats {
  /** `zon-lb stats IF` plus what the interface's earlier programs counted. */
  read(ifname: string): Promise<Record<string, number>>;
  /**
   * Runs what puts new programs on `onto`, their counts carried; only after it did, lest a
   * failure count twice. The new programs must be the ones zon-lb addresses (issue 22), or
   * the counts that follow would be another program's.
   */
  renewing(onto: string[], change: () => Promise<string>): Promise<string>;
}

// zon-lb's ZLB_STATS is its program's own map, not pinned: a new program (config load, prog
// replace) counts from 0, so what the old one counted is carried over, as the nft driver carries its table's
export function carriedStats(zonlb: ZonlbCommand, readLink: LinkReader): CarriedStats {
  const carried: Record<string, Record<string, number>> = {};
  const read = async (ifname: string) => {
    const now = parseStats((await zonlb.must(['stats', ifname])).stdout);
    for (const [k, v] of Object.entries(carried[ifname] ?? {})) now[k] = (now[k] ?? 0) + v;
    return now;
  };
  const renewing = async (onto: string[], change: () => Promise<string>) => {
    const before = Object.fromEntries(await Promise.all(onto.map(async (i) => [i, await read(i)] as const)));
    const done = await change();
    await mustAddressLabPrograms(zonlb, onto, readLink);
    Object.assign(carried, before);
    return done;
  };
  return { read, renewing };
}

/** Every interface's counters, keyed `IF.name`. */
export async function interfaceCounters(stats: CarriedStats, ifaces: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const ifname of ifaces) for (const [k, v] of Object.entries(await stats.read(ifname))) out[`${ifname}.${k}`] = v;
  return out;
}

/** zon-lb counts `packets` per interface, for the flows it balances or tracks there: each service gets its interface's. */
export async function interfaceServiceCounts(
  stats: CarriedStats,
  ifaces: string[],
  services: ZonlbService[],
): Promise<Record<number, ServiceCount>> {
  const out: Record<number, ServiceCount> = {};
  for (const ifname of ifaces) {
    const own = services.filter((s) => s.netif === ifname);
    if (!own.length) continue;
    const packets = (await stats.read(ifname)).packets ?? 0;
    for (const s of own) out[s.gid] = { packets, scope: `interface ${ifname} (zon-lb stats)` };
  }
  return out;
}
