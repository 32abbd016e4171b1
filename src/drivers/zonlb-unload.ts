// Taking the lab's zon-lb programs off, and zon-lb's shared maps only when no other zon-lb uses them.
import { existsSync } from 'node:fs';
import { removeLabGroups, type Endpoint } from '../../lab/zonlb-groups.js';
import type { ZonlbCommand } from './zonlb-command.js';
import { linkPin, linkPins, releasePins } from './zonlb-pins.js';

export interface ZonlbLab {
  bin: string;
  bpffs: string;
  ifaces: string[];
  /** A --host lab: the groups it added are removed one by one from maps another zon-lb keeps. */
  host?: boolean;
  services: Endpoint[];
}

/** Tries every step, then throws every failure at once: teardown never stops at the first. */
export async function unloadZonlb(zonlb: ZonlbCommand, lab: ZonlbLab): Promise<void> {
  const { bin, bpffs, ifaces } = lab;
  const failures: string[] = [];
  // the lab's groups and backends leave the shared maps another zon-lb keeps (without one, the maps go with teardown)
  const othersKeepMaps = linkPins(bpffs).some((n) => !ifaces.some((i) => n === `zlb_${i}`));
  if (lab.host && othersKeepMaps)
    await removeLabGroups(bin, bpffs, ifaces, lab.services).catch((err: Error) => failures.push(err.message));
  for (const ifname of ifaces) {
    const why = zonlb.failure(await zonlb.run(['prog', ifname, 'unload']));
    if (why) failures.push(`zon-lb prog ${ifname} unload: ${why}`);
    if (existsSync(linkPin(bpffs, ifname)))
      failures.push(`zon-lb prog ${ifname} unload left ${linkPin(bpffs, ifname)} (removed)`);
  }
  // the maps are zon-lb's shared state: only when no zon-lb link is left, the lab's or another's
  if (ifaces.length && linkPins(bpffs).every((n) => ifaces.some((i) => n === `zlb_${i}`))) {
    const why = zonlb.failure(await zonlb.run(['prog', ifaces[0]!, 'teardown']));
    if (why) failures.push(`zon-lb prog ${ifaces[0]} teardown: ${why}`);
  }
  releasePins(bpffs, ifaces); // zon-lb never removes ZLB_TXPORT and ZLB_FRAG*
  if (failures.length) throw new Error(failures.join('; '));
}
