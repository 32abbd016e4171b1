import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCommand, type CommandResult } from '../../lab/run-command.js';
import { findOnPath } from '../host-facts.js';
import type { Driver, LoadContext, LoadedBalancer } from './driver.js';

export interface ZonlbBinaryOptions {
  path?: string;
  /** bpffs where zon-lb pins its maps; a test gives a temporary directory. */
  bpffs?: string;
}

/** zon-lb logs " ERROR " and still exits 0; its output is the only sign of failure. */
export function errorLines(r: CommandResult): string[] {
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => / ERROR /.test(l));
}

/** Pins zon-lb leaves (it never removes its TXPORT and FRAG maps). */
export function zonlbPins(bpffs: string): string[] {
  try {
    return readdirSync(bpffs).filter((n) => n.startsWith('zlb_') || n.startsWith('ZLB')).map((n) => path.join(bpffs, n));
  } catch {
    return [];
  }
}

/**
 * An external zon-lb binary (facts from its source at cf3fa6f): `zon-lb config FILE load`
 * attaches to every [netif.*]; `runvar IF set log_filter=off` before throughput;
 * `prog IF teardown` for the first interface and `prog IF unload` for the others.
 */
export function zonlbBinaryDriver(opts: ZonlbBinaryOptions = {}): Driver {
  const bin = opts.path ?? process.env.ZONLB ?? findOnPath('zon-lb') ?? 'zon-lb';
  const bpffs = opts.bpffs ?? '/sys/fs/bpf';
  const zonlb = (args: string[]) => runCommand([bin, ...args], { reject: false, timeoutMs: 60_000 });
  const unloadCommands = (ifaces: string[]) => ifaces.map((ifname, i) => [bin, 'prog', ifname, i === 0 ? 'teardown' : 'unload']);
  const driver: Driver = {
    name: 'zon-lb',
    async missing() {
      const found = bin.includes('/') ? (await runCommand(['test', '-x', bin], { reject: false })).exitCode === 0 : Boolean(findOnPath(bin));
      return found ? [] : [`zon-lb not found${opts.path ? ` at ${opts.path}` : ''}: give --zonlb PATH or set ZONLB, or use --lb embedded or --lb nft`];
    },
    async version() {
      const r = await zonlb(['--version']);
      return r.failed ? 'unknown' : (r.stdout.trim().split('\n')[0] ?? 'unknown');
    },
    crashUndo: (ctx) => unloadCommands(ctx.config.interfaces).map((argv) => ({ argv })),
    async load(ctx: LoadContext): Promise<LoadedBalancer> {
      const file = path.join(ctx.workDir, 'zonlb.toml');
      copyFileSync(ctx.config.file, file);
      const version = await driver.version();
      const unload = async () => {
        const failures: string[] = [];
        for (const argv of unloadCommands(ctx.config.interfaces)) {
          const r = await zonlb(argv.slice(1));
          if (r.failed || errorLines(r).length) failures.push(`${argv.join(' ')}: ${errorLines(r)[0] ?? r.stderr.trim()}`);
        }
        for (const pin of zonlbPins(bpffs)) rmSync(pin, { recursive: true, force: true });
        if (failures.length) throw new Error(failures.join('; '));
      };
      const r = await zonlb(['config', file, 'load']);
      const errors = errorLines(r);
      if (r.failed || errors.length) {
        await unload().catch(() => {});
        throw new Error(`zon-lb config ${file} load failed: ${errors[0] ?? r.stderr.trim() ?? `exit code ${r.exitCode}`}`);
      }
      const info = await zonlb(['info']);
      if (info.failed || errorLines(info).length) {
        await unload().catch(() => {});
        throw new Error(`zon-lb info after load failed: ${errorLines(info)[0] ?? info.stderr.trim()}`);
      }
      return {
        driver: 'zon-lb',
        version,
        async beforeThroughput() {
          for (const ifname of ctx.config.interfaces) await zonlb(['runvar', ifname, 'set', 'log_filter=off']);
        },
        unload,
      };
    },
  };
  return driver;
}
