import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeFailure, runCommand, type CommandResult } from '../../lab/run-command.js';
import { findOnPath } from '../host-facts.js';
import type { Driver, LoadContext, LoadedBalancer, ServiceCount } from './driver.js';
import { linkPin, linkPins, releasePins } from './zonlb-pins.js';

export interface ZonlbBinaryOptions {
  path?: string;
  /** bpffs where zon-lb pins its links and maps (zon-lb's own is /sys/fs/bpf). */
  bpffs?: string;
}


/** zon-lb logs its failures with env_logger (`[TIME ERROR zon_lb] …`) and still exits 0. */
export function errorLines(r: CommandResult): string[] {
  return `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => / ERROR /.test(l));
}

/** `zon-lb info` (info.rs list_info): one block per program, with its `ifname:` and runvar `version:`. */
export function parseInfo(text: string): { ifname?: string; version?: string }[] {
  const programs: { ifname?: string; version?: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^(program_id|ifname|version): (\S+)/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'program_id') programs.push({});
    else if (programs.length) programs[programs.length - 1]![m[1] as 'ifname' | 'version'] = m[2];
  }
  return programs;
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
  const where = bin.includes('/') ? path.resolve(bin) : findOnPath(bin) ?? bin;
  try {
    const real = realpathSync(where);
    return `zon-lb sha256:${createHash('sha256').update(readFileSync(real)).digest('hex')} (${real})`;
  } catch (err) {
    return `zon-lb at ${where} (unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}

/** zon-lb's last line, for the record of an event. */
const said = (r: CommandResult) => `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-1)[0] || 'done';

/** An external zon-lb binary: `config FILE load`, `info`, `runvar`, `stats` per check, then `prog IF unload` (and `teardown` when no other zon-lb link is pinned). */
export function zonlbBinaryDriver(opts: ZonlbBinaryOptions = {}): Driver {
  const bin = opts.path ?? process.env.ZONLB ?? findOnPath('zon-lb') ?? 'zon-lb';
  const bpffs = opts.bpffs ?? '/sys/fs/bpf';
  const zonlb = (args: string[]) => runCommand([bin, ...args], { reject: false, timeoutMs: 60_000 });
  /** The command's failure in zon-lb's words, or undefined when it did what it should. */
  const failure = (r: CommandResult) => errorLines(r)[0] ?? (r.failed ? describeFailure(r) : undefined);
  const must = async (args: string[]) => {
    const r = await zonlb(args);
    const why = failure(r);
    if (why) throw new Error(`zon-lb ${args.join(' ')} failed: ${why}`);
    return r;
  };
  const driver: Driver = {
    name: 'zon-lb',
    async missing() {
      const found = bin.includes('/') ? (await runCommand(['test', '-x', bin], { reject: false })).exitCode === 0 : Boolean(findOnPath(bin));
      return found ? [] : [`zon-lb not found${opts.path ? ` at ${opts.path}` : ''}: give --zonlb PATH or set ZONLB, or use --lb embedded or --lb nft`];
    },
    version: async () => binaryIdentity(bin),
    // zon-lb's own commands (its src/main.rs): `config FILE load` again, `prog IF replace`, `conntrack remove`
    cannotApply(action) {
      if (action === 'remove-backend' || action === 'add-backend') return 'zonlab does not yet drive zon-lb\'s `backend GID add|remove INDEX` (the gid and index are the ones zon-lb assigned at load, read from `backend GID list`)';
      return undefined;
    },
    // the intent, not a path to this version's code: the next version's teardown undoes it too
    crashUndo: (ctx) => [{ kind: 'zonlb-pins-teardown', bpffs, interfaces: ctx.config.interfaces }],
    async load(ctx: LoadContext): Promise<LoadedBalancer> {
      const ifaces = ctx.config.interfaces;
      const file = path.join(ctx.workDir, 'zonlb.toml');
      writeFileSync(file, ctx.config.text);
      const identity = binaryIdentity(bin);
      const unload = async () => {
        const failures: string[] = [];
        for (const ifname of ifaces) {
          const why = failure(await zonlb(['prog', ifname, 'unload']));
          if (why) failures.push(`zon-lb prog ${ifname} unload: ${why}`);
          if (existsSync(linkPin(bpffs, ifname))) failures.push(`zon-lb prog ${ifname} unload left ${linkPin(bpffs, ifname)} (removed)`);
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
        const info = await must(['info']);
        const programs = parseInfo(info.stdout);
        const bare = ifaces.filter((i) => !programs.some((p) => p.ifname === i) || !existsSync(linkPin(bpffs, i)));
        if (bare.length) {
          const said = `${loaded.stdout}\n${loaded.stderr}`.trim().split('\n').slice(-5).join(' | ');
          throw new Error(`zon-lb config ${file} load attached nothing to ${bare.join(', ')}: zon-lb info lists no program there or ${bare.map((i) => linkPin(bpffs, i)).join(', ')} is missing (zon-lb said: ${said || 'nothing'})`);
        }
        const versions = [...new Set(programs.filter((p) => ifaces.includes(p.ifname ?? '')).map((p) => p.version ?? 'n/a'))];
        const stats = async (ifname: string) => parseStats((await must(['stats', ifname])).stdout);
        return {
          driver: 'zon-lb',
          version: `${identity}; info version: ${versions.join(', ')}`,
          async beforeThroughput() {
            for (const ifname of ifaces) await must(['runvar', ifname, 'set', 'log_filter=off']);
          },
          async counters() {
            const out: Record<string, number> = {};
            for (const ifname of ifaces) for (const [k, v] of Object.entries(await stats(ifname))) out[`${ifname}.${k}`] = v;
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
          async apply(action) {
            if (action === 'reload') return said(await must(['config', file, 'load']));
            if (action === 'flush-conntrack') return said(await must(['conntrack', 'remove']));
            if (action === 'replace-program') {
              const out: string[] = [];
              for (const ifname of ifaces) out.push(`${ifname}: ${said(await must(['prog', ifname, 'replace']))}`);
              return out.join('; ');
            }
            throw new Error(`zonlab does not drive ${action} through zon-lb`);
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
