import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../../lab/run-command.js';
import { ZONLB_ENV, type Endpoint } from '../../lab/zonlb-groups.js';
import { findOnPath } from '../host-facts.js';
import type { Driver, LoadContext, LoadedBalancer } from './driver.js';
import { zonlbApply } from './zonlb-apply.js';
import { zonlbCommand, type ZonlbCommand } from './zonlb-command.js';
import { textInForce } from './zonlb-events.js';
import { checkLoaded, configLoad, refuseForeignGroups, warnHighIfindex, wholeConfig } from './zonlb-load.js';
import { linkXdp, type LinkReader } from './zonlb-programs.js';
import { carriedStats, interfaceCounters, interfaceServiceCounts } from './zonlb-stats.js';
import { unloadZonlb } from './zonlb-unload.js';

export interface ZonlbBinaryOptions {
  path?: string;
  /** How the lab's interfaces are read (index and attached program): `ip -j -d link` unless a test says. */
  readLink?: LinkReader;
  /** bpffs where zon-lb pins its links and maps (zon-lb's own is /sys/fs/bpf). */
  bpffs?: string;
}

// zon-lb's environment is zonlab's, never the user's (issue 22): lab/zonlb-groups.ts
export { ZONLB_ENV };

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

/** The config's services as zon-lb keys its groups. */
const endpoints = (ctx: LoadContext): Endpoint[] =>
  ctx.config.services.map((s) => ({ ip: s.vip, proto: s.proto, port: s.port }));

/** An external zon-lb binary: `config FILE load`, `info`, `runvar`, `stats` per check, then `prog IF unload` (and `teardown` when no other zon-lb link is pinned). */
export function zonlbBinaryDriver(opts: ZonlbBinaryOptions = {}): Driver {
  const bin = opts.path ?? process.env.ZONLB ?? findOnPath('zon-lb') ?? 'zon-lb';
  const bpffs = opts.bpffs ?? '/sys/fs/bpf';
  const zonlb = zonlbCommand(bin);
  /** The binary as a journal names it: a crashed run's teardown may run from anywhere. */
  const binPath = () => (bin.includes('/') ? path.resolve(bin) : (findOnPath(bin) ?? bin));
  return {
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
    load: (ctx) => loadZonlb(zonlb, bin, bpffs, opts.readLink ?? linkXdp, ctx),
  };
}

/** The driver's `load`: what fails after zon-lb was called is unloaded before the failure is thrown. */
async function loadZonlb(
  zonlb: ZonlbCommand,
  bin: string,
  bpffs: string,
  readLink: LinkReader,
  ctx: LoadContext,
): Promise<LoadedBalancer> {
  const ifaces = ctx.config.interfaces;
  if (ctx.host) await refuseForeignGroups(bin, bpffs, ifaces, endpoints(ctx));
  const file = path.join(ctx.workDir, 'zonlb.toml');
  // the file's text is the whole zonlb.toml: the backends held back for an add-backend event are left out of it
  const full = wholeConfig(ctx.config);
  writeFileSync(file, textInForce(full, ctx.config));
  const identity = binaryIdentity(bin);
  await warnHighIfindex(ifaces, readLink, ctx.log);
  const unload = () => unloadZonlb(zonlb, { bin, bpffs, ifaces, host: ctx.host, services: endpoints(ctx) });
  try {
    const { result, gids } = await configLoad(zonlb, file);
    const versions = await checkLoaded(zonlb, { file, result, bpffs, ifaces, readLink });
    const stats = carriedStats(zonlb, readLink);
    return {
      driver: 'zon-lb',
      version: `${identity}; info version: ${versions.join(', ')}`,
      async beforeThroughput() {
        for (const ifname of ifaces) await zonlb.must(['runvar', ifname, 'set', 'log_filter=off']);
      },
      counters: () => interfaceCounters(stats, ifaces),
      serviceCounts: () => interfaceServiceCounts(stats, ifaces, ctx.config.services),
      apply: zonlbApply(zonlb, { file, full, config: ctx.config, gids, ifaces, stats }),
      unload,
    };
  } catch (err) {
    await unload().catch(() => {});
    throw err;
  }
}
