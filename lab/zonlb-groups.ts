import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { sameIp } from './net.js';
import { describeFailure, runCommand } from './run-command.js';

// zon-lb's groups in its shared maps, read and removed by the zon-lb driver of a --host lab and by
// teardown for a crashed one's journal (lab/undo-intents.ts): here, below both.

/**
 * zon-lb's environment is zonlab's, never the user's (issue 22): env_logger::init() reads RUST_LOG
 * (`off` hid every ERROR line, so a failed load looked like a success) and RUST_LOG_STYLE (`always`
 * coloured the level, so no line matched). info: its warnings and progress are there to quote too.
 */
export const ZONLB_ENV: Readonly<Record<string, string>> = { RUST_LOG: 'info', RUST_LOG_STYLE: 'never' };

/** A service as zon-lb keys its groups: VIP, protocol and port, whatever the interface (ZLB_LB4/ZLB_LB6). */
export interface Endpoint {
  ip: string;
  proto: number;
  port: number;
}

/** A group in zon-lb's maps: its gid and the interface its index names in zon-lb's namespace. */
export interface ZonlbGroup extends Endpoint {
  gid: number;
  netif: string;
}

export const sameEndpoint = (a: Endpoint, b: Endpoint): boolean =>
  sameIp(a.ip, b.ip) && a.proto === b.proto && a.port === b.port;

export const groupWords = (g: ZonlbGroup): string =>
  `group ${g.gid} (${g.ip} proto ${g.proto} port ${g.port} on ${g.netif})`;

/** What `zon-lb config FILE save` writes (config.rs fetch): `[netif.IF.GID]` tables of ip, proto, port. */
export function parseSavedGroups(text: string): ZonlbGroup[] {
  const netif =
    (parse(text) as { netif?: Record<string, Record<string, { ip?: unknown; proto?: unknown; port?: unknown }>> })
      .netif ?? {};
  return Object.entries(netif).flatMap(([name, groups]) =>
    Object.entries(groups).map(([gid, ep]) => ({
      gid: Number(gid),
      netif: name,
      ip: String(ep.ip),
      proto: Number(ep.proto ?? 0),
      port: Number(ep.port ?? 0),
    })),
  );
}

/** zon-lb's group maps are pinned: without them there is no group (and `config save` would only say so in an ERROR). */
const hasGroupMaps = (bpffs: string) => ['ZLB_LB4', 'ZLB_LB6'].some((m) => existsSync(path.join(bpffs, m)));

/** Every group in zon-lb's maps, through `zon-lb config FILE save`. */
export async function zonlbGroups(zonlb: string, bpffs: string): Promise<ZonlbGroup[]> {
  if (!hasGroupMaps(bpffs)) return [];
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-zonlb-'));
  try {
    const file = path.join(dir, 'saved.toml');
    const r = await runCommand([zonlb, 'config', file, 'save'], {
      reject: false,
      timeoutMs: 60_000,
      env: { ...ZONLB_ENV },
    });
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    // zon-lb exits 0 on failure: a save that wrote nothing failed
    if (r.failed || !text.trim())
      throw new Error(
        `zon-lb config ${file} save could not read its groups: ${r.failed ? describeFailure(r) : (r.stderr || r.stdout).trim() || 'it wrote nothing'}`,
      );
    return parseSavedGroups(text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lab's groups: its services' endpoints on its own interfaces. */
export function labGroups(groups: ZonlbGroup[], interfaces: string[], services: Endpoint[]): ZonlbGroup[] {
  return groups.filter((g) => interfaces.includes(g.netif) && services.some((s) => sameEndpoint(g, s)));
}

/**
 * Groups a `config load` of these services on these interfaces would replace that the lab did not
 * add: ConfigWriter removes every group bound to a loaded interface's index (Group::remove_all) and
 * replaces any group with a loaded VIP, protocol and port, whoever added it (Group::replace).
 */
export function replacedGroups(
  groups: ZonlbGroup[],
  interfaces: string[],
  services: Endpoint[],
  ours: ZonlbGroup[] = [],
): ZonlbGroup[] {
  return groups.filter(
    (g) =>
      !ours.some((o) => o.gid === g.gid) && (interfaces.includes(g.netif) || services.some((s) => sameEndpoint(g, s))),
  );
}

/**
 * Removes the lab's groups, their backends with them (`zon-lb group lo remove GID`: Group::remove
 * clears the group's backends first; the interface names no more than where its log lines go), and
 * checks they are gone. What it removed, in words.
 */
export async function removeLabGroups(
  zonlb: string,
  bpffs: string,
  interfaces: string[],
  services: Endpoint[],
): Promise<string[]> {
  const ours = labGroups(await zonlbGroups(zonlb, bpffs), interfaces, services);
  for (const g of ours)
    await runCommand([zonlb, 'group', 'lo', 'remove', String(g.gid)], {
      reject: false,
      timeoutMs: 60_000,
      env: { ...ZONLB_ENV },
    });
  const left = labGroups(await zonlbGroups(zonlb, bpffs), interfaces, services).filter((g) =>
    ours.some((o) => o.gid === g.gid),
  );
  if (left.length) throw new Error(`zon-lb group lo remove left ${left.map(groupWords).join(', ')} in zon-lb's maps`);
  return ours.map((g) => `removed zon-lb ${groupWords(g)} and its backends`);
}
