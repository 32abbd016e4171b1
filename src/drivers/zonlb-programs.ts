// Which XDP program zon-lb addresses on each interface, and whether it is the lab's (issue 22).
import { runCommand } from '../../lab/run-command.js';
import type { ZonlbCommand } from './zonlb-command.js';

export interface InfoBlock {
  programId?: number;
  /** The name of the program's interface index, as zon-lb resolves it in its own namespace. */
  ifname?: string;
  version?: string;
}

/** An interface's index and the XDP program attached to it. */
export interface LinkXdp {
  ifindex?: number;
  programId?: number;
}

export type LinkReader = (ifname: string) => Promise<LinkXdp>;

/** `zon-lb info` (info.rs list_info): one block per program, with its `ifname:` and runvar `version:`. */
export function parseInfo(text: string): InfoBlock[] {
  const programs: InfoBlock[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^(program_id|ifname|version): (\S+)/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'program_id') programs.push({ programId: Number(m[2]) });
    else if (programs.length) programs[programs.length - 1]![m[1] as 'ifname' | 'version'] = m[2];
  }
  return programs;
}

/**
 * The program zon-lb addresses as "the program on IF": get_program_info_by_ifname walks every XDP
 * link of the machine (every namespace), keeps those whose interface index is IF's and takes the
 * lowest program id (helpers.rs, info.rs build_prog_info). `info` shows each with the name its index
 * has in zon-lb's namespace, so another namespace's zon-lb on the same index shows as IF too.
 */
export function addressedProgram(blocks: InfoBlock[], ifname: string): number | undefined {
  const ids = blocks.filter((b) => b.ifname === ifname && b.programId !== undefined).map((b) => b.programId!);
  return ids.length ? Math.min(...ids) : undefined;
}

/**
 * zon-lb in this lab reads and sets only the lab's programs (issue 22): what it addresses for each
 * interface is the program attached there in the lab's namespace, else the run fails naming both.
 */
export function wrongPrograms(blocks: InfoBlock[], attached: Record<string, LinkXdp>): string[] {
  return Object.entries(attached).flatMap(([ifname, own]) => {
    const theirs = addressedProgram(blocks, ifname);
    if (own.programId === undefined || theirs === undefined || theirs === own.programId) return [];
    return [
      `zon-lb addresses program ${theirs} as the one on ${ifname} (interface index ${own.ifindex ?? '?'}), but the lab's ${ifname} carries program ${own.programId}: another zon-lb program on this machine is attached to an interface with the same index, and zon-lb looks programs up by index across every namespace (its stats, runvar and info would be that program's)`,
    ];
  });
}

/** IF's interface index and the XDP program attached to it, in this process's namespace (`ip -j -d link`). */
export async function linkXdp(ifname: string): Promise<LinkXdp> {
  const r = await runCommand(['ip', '-j', '-d', 'link', 'show', 'dev', ifname], { reject: false });
  try {
    const link = (
      JSON.parse(r.stdout) as {
        ifindex?: number;
        xdp?: { prog?: { id?: number }; attached?: { prog?: { id?: number } }[] };
      }[]
    )[0];
    return {
      ifindex: link?.ifindex,
      programId: link?.xdp?.prog?.id ?? link?.xdp?.attached?.find((a) => a.prog?.id)?.prog?.id,
    };
  } catch {
    return {};
  }
}

/** Each interface's link, read at once. */
export async function attachedPrograms(ifaces: string[], readLink: LinkReader): Promise<Record<string, LinkXdp>> {
  return Object.fromEntries(await Promise.all(ifaces.map(async (i) => [i, await readLink(i)] as const)));
}

/** Throws unless zon-lb addresses, on each interface, the program attached there: else its counts would be another program's. */
export async function mustAddressLabPrograms(
  zonlb: ZonlbCommand,
  ifaces: string[],
  readLink: LinkReader,
): Promise<void> {
  const now = await attachedPrograms(ifaces, readLink);
  const wrong = wrongPrograms(parseInfo((await zonlb.must(['info'])).stdout), now);
  if (wrong.length) throw new Error(wrong.join('; '));
}
