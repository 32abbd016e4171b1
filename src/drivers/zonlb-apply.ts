// A scenario's [[event]]s applied to a loaded zon-lb with its own commands (the commands: zonlb-events.ts).
import { writeFileSync } from 'node:fs';
import type { EventAction } from '../scenario/types.js';
import type { ZonlbConfig } from '../zonlb/config.js';
import { said, type ZonlbCommand } from './zonlb-command.js';
import { addArgs, backendChange, indexOf, parseBackendList, textInForce } from './zonlb-events.js';
import { configLoad } from './zonlb-load.js';
import type { CarriedStats } from './zonlb-stats.js';

export interface LoadedZonlb {
  /** The zonlb.toml zon-lb loaded, and the whole one read by zonlab (with the backends held back). */
  file: string;
  full: ZonlbConfig;
  /** The backends in force after the first load, and the gids it gave the config's groups. */
  config: ZonlbConfig;
  gids: Map<number, number>;
  ifaces: string[];
  stats: CarriedStats;
}

/** The driver's `apply`: it keeps the backends in force and the gids of the last `config load`. */
export function zonlbApply(zonlb: ZonlbCommand, loaded: LoadedZonlb) {
  const { file, full, ifaces, stats } = loaded;
  let current = loaded.config;
  let gids = loaded.gids;
  /** zon-lb's gid for a service of the zonlb.toml, as the last `config load` gave it. */
  const gidOf = (configGid: number) => {
    const gid = gids.get(configGid);
    if (gid === undefined)
      throw new Error(
        `zon-lb's config load gave no group id for netif group ${configGid} (no "=> id: N (config:${configGid})" line)`,
      );
    return String(gid);
  };
  const changeBackends = async (config: ZonlbConfig) => {
    const { removed, added } = backendChange(current, config);
    const out: string[] = [];
    for (const b of removed) {
      const gid = gidOf(Number(b.key.split('_')[0]));
      const listed = parseBackendList((await zonlb.must(['backend', gid, 'list'])).stdout);
      const index = indexOf(listed, b);
      if (index === undefined)
        throw new Error(
          `zon-lb backend ${gid} list shows no backend ${b.ip}${b.port ? ` port ${b.port}` : ''}${b.options.srcIp ? ` src ${b.options.srcIp}` : ''} (backend ${b.key})`,
        );
      out.push(
        `backend ${b.key} (gid ${gid} index ${index}): ${said(await zonlb.must(['backend', gid, 'remove', String(index)]))}`,
      );
    }
    for (const b of added)
      out.push(
        `backend ${b.key}: ${said(await zonlb.must(['backend', gidOf(Number(b.key.split('_')[0])), 'add', ...addArgs(b)]))}`,
      );
    current = config;
    // the zonlb.toml follows, so that a reload loads what is in force, as a zon-lb user edits it
    writeFileSync(file, textInForce(full, current));
    return out.join('; ') || 'no backend changed';
  };
  return async (action: EventAction, config: ZonlbConfig): Promise<string> => {
    if (action === 'reload') {
      return stats.renewing(ifaces, async () => {
        const r = await configLoad(zonlb, file);
        gids = r.gids;
        return said(r.result);
      });
    }
    if (action === 'flush-conntrack') return said(await zonlb.must(['conntrack', 'remove']));
    if (action === 'replace-program') {
      return stats.renewing(ifaces, async () => {
        const out: string[] = [];
        for (const ifname of ifaces) out.push(`${ifname}: ${said(await zonlb.must(['prog', ifname, 'replace']))}`);
        return out.join('; ');
      });
    }
    return changeBackends(config);
  };
}
