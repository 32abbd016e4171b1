// A scenario's [[event]]s as a zon-lb user makes them (issue 23), with zon-lb's own commands
// (zon-lb/src/main.rs, backends.rs at cf3fa6f): `backend GID remove INDEX`, `backend GID add IP …`,
// `config FILE load` again, `prog IF replace`, `conntrack remove`. zon-lb names groups and backends
// its own way: a group's gid is what `config load` gave it (new on every load), a backend's index
// its place in the group, which a removal changes (the last backend takes the removed one's index).
import { parse as parseToml, stringify } from 'smol-toml';
import type { ZonlbBackend, ZonlbConfig } from '../zonlb/config.js';

/** `config FILE load`'s INFO records "Backend group EP added for IF => id: N (config:M)": the config's gid → zon-lb's. */
export function loadedGids(output: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of output.matchAll(/Backend group \S+ added for \S+ => id: (\d+) \(config:(\d+)\)/g))
    out.set(Number(m[2]), Number(m[1]));
  return out;
}

/** An address as Rust's Display writes it (IPv6 compressed, lower case). */
function canonical(ip: string): string {
  return ip.includes(':') ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;
}

/** EndPoint's Display without its protocol: `[ip]:port`, or the address alone without a port. */
const endpointOf = (ip: string, port: number | undefined) => (port ? `[${canonical(ip)}]:${port}` : canonical(ip));

export interface ListedBackend {
  index: number;
  endpoint: string;
  src: string;
}

/** `backend GID list`'s "Backends list:" rows (id, endpoint, flags, src, alt), each endpoint without its `Proto:`. */
export function parseBackendList(text: string): ListedBackend[] {
  const rows = text.split(/\r?\n/);
  const start = rows.findIndex((l) => /^Backends list:/.test(l));
  if (start < 0) return [];
  return rows.slice(start + 1).flatMap((l) => {
    const m = /^(\d+)\s+(?:[A-Z][A-Za-z0-9]*:)?(\S+)\s+\S+\s+(\S+)\s+\S+\s*$/.exec(l);
    return m ? [{ index: Number(m[1]), endpoint: m[2]!, src: m[3]! }] : [];
  });
}

/** The index zon-lb has now for a zonlb.toml backend, by its address, port and src_ip as `backend GID list` shows them. */
export function indexOf(listed: ListedBackend[], b: ZonlbBackend): number | undefined {
  const src = b.options.srcIp ? canonical(b.options.srcIp) : 'n/a';
  return listed.find((l) => l.endpoint === endpointOf(b.ip, b.port) && l.src === src)?.index;
}

/** Protocol's ValueEnum names (zon-lb/src/protocols.rs) of the protocols a zonlb.toml backend may have. */
const PROTOCOL_NAMES: Record<number, string> = { 0: 'none', 1: 'icmp', 58: 'ipv6-icmp' };

/** `backend GID add`'s arguments for a zonlb.toml backend: `IP tcp|udp PORT OPTIONS…` or `IP proto NAME OPTIONS…`, the options as written. */
export function addArgs(b: ZonlbBackend): string[] {
  const how =
    b.proto === 6
      ? ['tcp', String(b.port ?? 0)]
      : b.proto === 17
        ? ['udp', String(b.port ?? 0)]
        : ['proto', PROTOCOL_NAMES[b.proto] ?? String(b.proto)];
  return [b.ip, ...how, ...b.options.raw];
}

const keysOf = (c: ZonlbConfig) => new Set(c.services.flatMap((s) => s.backends.map((b) => b.key)));

/** The backends an event took out of the config in force, and those it put in. */
export function backendChange(
  before: ZonlbConfig,
  after: ZonlbConfig,
): { removed: ZonlbBackend[]; added: ZonlbBackend[] } {
  const was = keysOf(before);
  const is = keysOf(after);
  const all = (c: ZonlbConfig) => c.services.flatMap((s) => s.backends);
  return { removed: all(before).filter((b) => !is.has(b.key)), added: all(after).filter((b) => !was.has(b.key)) };
}

/**
 * The zonlb.toml a zon-lb user loads for the config in force ("to change the server address the
 * config must be changed and reloaded"): the file's text as written, without the [backend.KEY]
 * tables of `full`'s backends that are not in force (held back, or removed by an event).
 */
export function textInForce(full: ZonlbConfig, current: ZonlbConfig): string {
  const live = keysOf(current);
  const out = [...keysOf(full)].filter((k) => !live.has(k));
  if (!out.length) return full.text;
  const doc = parseToml(full.text) as { backend?: Record<string, unknown> };
  for (const k of out) delete doc.backend?.[k];
  return `${stringify(doc)}\n`;
}
