// zon-lb's `config FILE load` and what the lab makes sure of before and after it.
import { existsSync } from 'node:fs';
import { ZONLB_MAX_IFINDEX } from '../../lab/ifindex-reservations.js';
import type { CommandResult } from '../../lab/run-command.js';
import { groupWords, replacedGroups, zonlbGroups, type Endpoint } from '../../lab/zonlb-groups.js';
import { parseZonlbConfig, type ZonlbConfig } from '../zonlb/config.js';
import type { ZonlbCommand } from './zonlb-command.js';
import { loadedGids } from './zonlb-events.js';
import { attachedPrograms, parseInfo, wrongPrograms, type LinkReader } from './zonlb-programs.js';
import { linkPin } from './zonlb-pins.js';

/** --host: zon-lb's maps are the machine's, and another zon-lb user's groups are in them. */
export async function refuseForeignGroups(
  bin: string,
  bpffs: string,
  ifaces: string[],
  services: Endpoint[],
): Promise<void> {
  const replaced = replacedGroups(await zonlbGroups(bin, bpffs), ifaces, services);
  if (replaced.length) {
    throw new Error(
      `zon-lb config load would replace ${replaced.map(groupWords).join(', ')}, which this lab did not add: zon-lb replaces a group with the same VIP, protocol and port whoever added it, and removes every group bound to a loaded interface's index. Give this lab's groups another VIP or port, or remove those groups if they are stale (zon-lb group lo remove GID)`,
    );
  }
}

/** The zonlb.toml's text read whole (its text keeps the backends held back); one zonlab cannot read is zon-lb's to refuse, as it is. */
export function wholeConfig(config: ZonlbConfig): ZonlbConfig {
  try {
    return parseZonlbConfig(config.text, config.file);
  } catch {
    return config;
  }
}

/** A warning, not a refusal: zon-lb's own ERROR says more when its load does fail. */
export async function warnHighIfindex(ifaces: string[], readLink: LinkReader, log: (line: string) => void) {
  for (const ifname of ifaces) {
    const { ifindex } = await readLink(ifname);
    if (ifindex !== undefined && ifindex > ZONLB_MAX_IFINDEX)
      log(
        `zon-lb: ${ifname} has interface index ${ifindex}; zon-lb's devmap of ports holds indexes below 256 (TxPorts::init logs an ERROR), so its load is likely to fail`,
      );
  }
}

/** `config FILE load`, failing on its ERROR records; with the gids zon-lb gave the config's groups. */
export async function configLoad(zonlb: ZonlbCommand, file: string) {
  const result = await zonlb.must(['config', file, 'load']);
  return { result, gids: loadedGids(`${result.stderr}\n${result.stdout}`) };
}

/**
 * After the first load: each interface carries a program zon-lb lists and pins, and it is the one
 * zon-lb addresses there (issue 22). Returns the programs' `info` versions.
 */
export async function checkLoaded(
  zonlb: ZonlbCommand,
  loaded: { file: string; result: CommandResult; bpffs: string; ifaces: string[]; readLink: LinkReader },
): Promise<string[]> {
  const { file, result, bpffs, ifaces, readLink } = loaded;
  const programs = parseInfo((await zonlb.must(['info'])).stdout);
  const bare = ifaces.filter((i) => !programs.some((p) => p.ifname === i) || !existsSync(linkPin(bpffs, i)));
  if (bare.length) {
    const said = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5).join(' | ');
    throw new Error(
      `zon-lb config ${file} load attached nothing to ${bare.join(', ')}: zon-lb info lists no program there or ${bare.map((i) => linkPin(bpffs, i)).join(', ')} is missing (zon-lb said: ${said || 'nothing'})`,
    );
  }
  const wrong = wrongPrograms(programs, await attachedPrograms(ifaces, readLink));
  if (wrong.length) throw new Error(wrong.join('; '));
  return [...new Set(programs.filter((p) => ifaces.includes(p.ifname ?? '')).map((p) => p.version ?? 'n/a'))];
}
