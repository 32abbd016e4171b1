import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ZONLB_MAX_IFINDEX } from '../../lab/ifindex-reservations.js';
import { describeFailure, runCommand, type CommandResult } from '../../lab/run-command.js';
import {
  groupWords,
  removeLabGroups,
  replacedGroups,
  zonlbGroups,
  ZONLB_ENV,
  type Endpoint,
} from '../../lab/zonlb-groups.js';
import { findOnPath } from '../host-facts.js';
import { parseZonlbConfig, type ZonlbConfig } from '../zonlb/config.js';
import type { Driver, LoadContext, LoadedBalancer, ServiceCount } from './driver.js';
import { addArgs, backendChange, indexOf, loadedGids, parseBackendList, textInForce } from './zonlb-events.js';
import { linkPin, linkPins, releasePins } from './zonlb-pins.js';
import { stripAnsi } from '../text.js';

export interface ZonlbBinaryOptions {
  path?: string;
  /** How the lab's interfaces are read (index and attached program): `ip -j -d link` unless a test says. */
  readLink?: (ifname: string) => Promise<{ ifindex?: number; programId?: number }>;
  /** bpffs where zon-lb pins its links and maps (zon-lb's own is /sys/fs/bpf). */
  bpffs?: string;
}

// zon-lb's environment is zonlab's, never the user's (issue 22): lab/zonlb-groups.ts
export { ZONLB_ENV };

/** An env_logger record's first line: `[TIME LEVEL module] message` (the level padded to 5). */
const RECORD = /^\[\S+ +(ERROR|WARN|INFO|DEBUG|TRACE) +[^\]]*\] ?/;

/**
 * zon-lb logs its failures with env_logger and still exits 0. Each ERROR record, whole: a message
 * may span lines (a TOML error quotes the line and a caret under it), which follow the record's
 * first line with no prefix of their own, up to the next record.
 */
export function errorLines(r: Pick<CommandResult, 'stdout' | 'stderr'>): string[] {
  const records: string[][] = [];
  for (const stream of [r.stderr, r.stdout]) {
    let current: string[] | undefined;
    for (const line of stripAnsi(stream).split(/\r?\n/)) {
      const m = RECORD.exec(line);
      if (m) {
        current = m[1] === 'ERROR' ? [line.trim()] : undefined;
        if (current) records.push(current);
      } else if (current && line.trim()) {
        current.push(line.trimEnd());
      }
    }
  }
  return records.map((lines) => lines.join('\n'));
}

export interface InfoBlock {
  programId?: number;
  /** The name of the program's interface index, as zon-lb resolves it in its own namespace. */
  ifname?: string;
  version?: string;
}

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
export function wrongPrograms(
  blocks: InfoBlock[],
  attached: Record<string, { ifindex?: number; programId?: number }>,
): string[] {
  return Object.entries(attached).flatMap(([ifname, own]) => {
    const theirs = addressedProgram(blocks, ifname);
    if (own.programId === undefined || theirs === undefined || theirs === own.programId) return [];
    return [
      `zon-lb addresses program ${theirs} as the one on ${ifname} (interface index ${own.ifindex ?? '?'}), but the lab's ${ifname} carries program ${own.programId}: another zon-lb program on this machine is attached to an interface with the same index, and zon-lb looks programs up by index across every namespace (its stats, runvar and info would be that program's)`,
    ];
  });
}

/** IF's interface index and the XDP program attached to it, in this process's namespace (`ip -j -d link`). */
async function linkXdp(ifname: string): Promise<{ ifindex?: number; programId?: number }> {
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

/** `zon-lb stats IF` (stats.rs print_all): `name: value` rows of an InfoTable. */
export function parseStats(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z0-9_]+): (\d+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** What can be known of a binary with no --version: where it is and what it is. */
export function binaryIdentity(bin: string): string {
  const where = bin.includes('/') ? path.resolve(bin) : (findOnPath(bin) ?? bin);
  try {
    const real = realpathSync(where);
    return `zon-lb sha256:${createHash('sha256').update(readFileSync(real)).digest('hex')} (${real})`;
  } catch (err) {
    return `zon-lb at ${where} (unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}

/** The zonlb.toml's text read whole (its text keeps the backends held back); one zonlab cannot read is zon-lb's to refuse, as it is. */
function wholeConfig(config: ZonlbConfig): ZonlbConfig {
  try {
    return parseZonlbConfig(config.text, config.file);
  } catch {
    return config;
  }
}

/** The config's services as zon-lb keys its groups. */
const endpoints = (ctx: LoadContext): Endpoint[] =>
  ctx.config.services.map((s) => ({ ip: s.vip, proto: s.proto, port: s.port }));

/** zon-lb's last line, for the record of an event. */
const said = (r: CommandResult) => `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-1)[0] || 'done';

/** An external zon-lb binary: `config FILE load`, `info`, `runvar`, `stats` per check, then `prog IF unload` (and `teardown` when no other zon-lb link is pinned). */
export function zonlbBinaryDriver(opts: ZonlbBinaryOptions = {}): Driver {
  const bin = opts.path ?? process.env.ZONLB ?? findOnPath('zon-lb') ?? 'zon-lb';
  const bpffs = opts.bpffs ?? '/sys/fs/bpf';
  /** The binary as a journal names it: a crashed run's teardown may run from anywhere. */
  const binPath = () => (bin.includes('/') ? path.resolve(bin) : (findOnPath(bin) ?? bin));
  const zonlb = (args: string[]) =>
    runCommand([bin, ...args], { reject: false, timeoutMs: 60_000, env: { ...ZONLB_ENV } });
  /** The command's failure in zon-lb's words (every ERROR record), or undefined when it did what it should. */
  const failure = (r: CommandResult) => {
    const errors = errorLines(r);
    return errors.length ? errors.join('\n') : r.failed ? describeFailure(r) : undefined;
  };
  const must = async (args: string[]) => {
    const r = await zonlb(args);
    const why = failure(r);
    if (why) throw new Error(`zon-lb ${args.join(' ')} failed: ${why}`);
    return r;
  };
  const driver: Driver = {
    name: 'zon-lb',
    async missing() {
      const found = bin.includes('/')
        ? (await runCommand(['test', '-x', bin], { reject: false })).exitCode === 0
        : Boolean(findOnPath(bin));
      return found
        ? []
        : [
            `zon-lb not found${opts.path ? ` at ${opts.path}` : ''}: give --zonlb PATH or set ZONLB, or use --lb embedded or --lb nft`,
          ];
    },
    version: async () => binaryIdentity(bin),
    // each event with zon-lb's own commands (zonlb-events.ts): zon-lb has one for every action
    cannotApply: () => undefined,
    // the intent, not a path to this version's code: the next version's teardown undoes it too; a
    // --host lab's groups after its pins, so that they go with the maps when no other zon-lb is left
    crashUndo: (ctx) => [
      { kind: 'zonlb-pins-teardown', bpffs, interfaces: ctx.config.interfaces },
      ...(ctx.host
        ? [
            {
              kind: 'zonlb-groups-remove' as const,
              zonlb: binPath(),
              bpffs,
              interfaces: ctx.config.interfaces,
              services: endpoints(ctx),
            },
          ]
        : []),
    ],
    async load(ctx: LoadContext): Promise<LoadedBalancer> {
      const ifaces = ctx.config.interfaces;
      // --host: zon-lb's maps are the machine's, and another zon-lb user's groups are in them
      if (ctx.host) {
        const replaced = replacedGroups(await zonlbGroups(bin, bpffs), ifaces, endpoints(ctx));
        if (replaced.length) {
          throw new Error(
            `zon-lb config load would replace ${replaced.map(groupWords).join(', ')}, which this lab did not add: zon-lb replaces a group with the same VIP, protocol and port whoever added it, and removes every group bound to a loaded interface's index. Give this lab's groups another VIP or port, or remove those groups if they are stale (zon-lb group lo remove GID)`,
          );
        }
      }
      const file = path.join(ctx.workDir, 'zonlb.toml');
      // the file's text is the whole zonlb.toml: the backends held back for an add-backend event are left out of it
      const full = wholeConfig(ctx.config);
      let current = ctx.config;
      writeFileSync(file, textInForce(full, current));
      const identity = binaryIdentity(bin);
      const readLink = opts.readLink ?? linkXdp;
      for (const ifname of ifaces) {
        const { ifindex } = await readLink(ifname);
        if (ifindex !== undefined && ifindex > ZONLB_MAX_IFINDEX)
          ctx.log(
            `zon-lb: ${ifname} has interface index ${ifindex}; zon-lb's devmap of ports holds indexes below 256 (TxPorts::init logs an ERROR), so its load is likely to fail`,
          );
      }
      const unload = async () => {
        const failures: string[] = [];
        // the lab's groups and backends leave the shared maps another zon-lb keeps (without one, the maps go with teardown)
        const othersKeepMaps = linkPins(bpffs).some((n) => !ifaces.some((i) => n === `zlb_${i}`));
        if (ctx.host && othersKeepMaps)
          await removeLabGroups(bin, bpffs, ifaces, endpoints(ctx)).catch((err: Error) => failures.push(err.message));
        for (const ifname of ifaces) {
          const why = failure(await zonlb(['prog', ifname, 'unload']));
          if (why) failures.push(`zon-lb prog ${ifname} unload: ${why}`);
          if (existsSync(linkPin(bpffs, ifname)))
            failures.push(`zon-lb prog ${ifname} unload left ${linkPin(bpffs, ifname)} (removed)`);
        }
        // the maps are zon-lb's shared state: only when no zon-lb link is left, the lab's or another's
        if (ifaces.length && linkPins(bpffs).every((n) => ifaces.some((i) => n === `zlb_${i}`))) {
          const why = failure(await zonlb(['prog', ifaces[0]!, 'teardown']));
          if (why) failures.push(`zon-lb prog ${ifaces[0]} teardown: ${why}`);
        }
        releasePins(bpffs, ifaces); // zon-lb never removes ZLB_TXPORT and ZLB_FRAG*
        if (failures.length) throw new Error(failures.join('; '));
      };
      try {
        const loaded = await must(['config', file, 'load']);
        let gids = loadedGids(`${loaded.stderr}\n${loaded.stdout}`);
        const info = await must(['info']);
        const programs = parseInfo(info.stdout);
        const bare = ifaces.filter((i) => !programs.some((p) => p.ifname === i) || !existsSync(linkPin(bpffs, i)));
        if (bare.length) {
          const said = `${loaded.stdout}\n${loaded.stderr}`.trim().split('\n').slice(-5).join(' | ');
          throw new Error(
            `zon-lb config ${file} load attached nothing to ${bare.join(', ')}: zon-lb info lists no program there or ${bare.map((i) => linkPin(bpffs, i)).join(', ')} is missing (zon-lb said: ${said || 'nothing'})`,
          );
        }
        const attached = Object.fromEntries(
          await Promise.all(ifaces.map(async (i) => [i, await readLink(i)] as const)),
        );
        const wrong = wrongPrograms(programs, attached);
        if (wrong.length) throw new Error(wrong.join('; '));
        const versions = [
          ...new Set(programs.filter((p) => ifaces.includes(p.ifname ?? '')).map((p) => p.version ?? 'n/a')),
        ];
        // zon-lb's ZLB_STATS is its program's own map, not pinned: a new program (config load, prog
        // replace) counts from 0, so what the old one counted is carried over, as the nft driver carries its table's
        const carried: Record<string, Record<string, number>> = {};
        const stats = async (ifname: string) => {
          const now = parseStats((await must(['stats', ifname])).stdout);
          for (const [k, v] of Object.entries(carried[ifname] ?? {})) now[k] = (now[k] ?? 0) + v;
          return now;
        };
        /**
         * Runs what puts new programs on `onto`, their counts carried; only after it did, lest a
         * failure count twice. The new programs must be the ones zon-lb addresses (issue 22), or
         * the counts that follow would be another program's.
         */
        const renewing = async (onto: string[], change: () => Promise<string>) => {
          const before = Object.fromEntries(await Promise.all(onto.map(async (i) => [i, await stats(i)] as const)));
          const done = await change();
          const now = Object.fromEntries(await Promise.all(onto.map(async (i) => [i, await readLink(i)] as const)));
          const wrong = wrongPrograms(parseInfo((await must(['info'])).stdout), now);
          if (wrong.length) throw new Error(wrong.join('; '));
          Object.assign(carried, before);
          return done;
        };
        /** zon-lb's gid for a service of the zonlb.toml, as the last `config load` gave it. */
        const gidOf = (configGid: number) => {
          const gid = gids.get(configGid);
          if (gid === undefined)
            throw new Error(
              `zon-lb's config load gave no group id for netif group ${configGid} (no "=> id: N (config:${configGid})" line)`,
            );
          return String(gid);
        };
        return {
          driver: 'zon-lb',
          version: `${identity}; info version: ${versions.join(', ')}`,
          async beforeThroughput() {
            for (const ifname of ifaces) await must(['runvar', ifname, 'set', 'log_filter=off']);
          },
          async counters() {
            const out: Record<string, number> = {};
            for (const ifname of ifaces)
              for (const [k, v] of Object.entries(await stats(ifname))) out[`${ifname}.${k}`] = v;
            return out;
          },
          // zon-lb counts `packets` per interface, for the flows it balances or tracks there
          async serviceCounts() {
            const out: Record<number, ServiceCount> = {};
            for (const ifname of ifaces) {
              const services = ctx.config.services.filter((s) => s.netif === ifname);
              if (!services.length) continue;
              const packets = (await stats(ifname)).packets ?? 0;
              for (const s of services) out[s.gid] = { packets, scope: `interface ${ifname} (zon-lb stats)` };
            }
            return out;
          },
          async apply(action, config) {
            if (action === 'reload') {
              return renewing(ifaces, async () => {
                const r = await must(['config', file, 'load']);
                gids = loadedGids(`${r.stderr}\n${r.stdout}`);
                return said(r);
              });
            }
            if (action === 'flush-conntrack') return said(await must(['conntrack', 'remove']));
            if (action === 'replace-program') {
              return renewing(ifaces, async () => {
                const out: string[] = [];
                for (const ifname of ifaces) out.push(`${ifname}: ${said(await must(['prog', ifname, 'replace']))}`);
                return out.join('; ');
              });
            }
            const { removed, added } = backendChange(current, config);
            const out: string[] = [];
            for (const b of removed) {
              const gid = gidOf(Number(b.key.split('_')[0]));
              const listed = parseBackendList((await must(['backend', gid, 'list'])).stdout);
              const index = indexOf(listed, b);
              if (index === undefined)
                throw new Error(
                  `zon-lb backend ${gid} list shows no backend ${b.ip}${b.port ? ` port ${b.port}` : ''}${b.options.srcIp ? ` src ${b.options.srcIp}` : ''} (backend ${b.key})`,
                );
              out.push(
                `backend ${b.key} (gid ${gid} index ${index}): ${said(await must(['backend', gid, 'remove', String(index)]))}`,
              );
            }
            for (const b of added)
              out.push(
                `backend ${b.key}: ${said(await must(['backend', gidOf(Number(b.key.split('_')[0])), 'add', ...addArgs(b)]))}`,
              );
            current = config;
            // the zonlb.toml follows, so that a reload loads what is in force, as a zon-lb user edits it
            writeFileSync(file, textInForce(full, current));
            return out.join('; ') || 'no backend changed';
          },
          unload,
        };
      } catch (err) {
        await unload().catch(() => {});
        throw err;
      }
    },
  };
  return driver;
}
