import { findOnPath } from '../host-facts.js';
import { MissingRequirement } from '../errors.js';
import { DRIVER_NAMES, type DriverChoice, type DriverName, type Scenario } from '../scenario/types.js';
import type { ZonlbConfig } from '../zonlb/config.js';
import { CAPABILITIES, lacking, type Capabilities } from './capabilities.js';
import type { Driver } from './driver.js';
import { embeddedNeeds } from './needs/embedded.js';
import type { Needs } from './needs/index.js';
import { nftNeeds } from './needs/nft.js';
import { zonlbNeeds } from './needs/zonlb.js';

export { DRIVER_NAMES, type DriverChoice, type DriverName };

export interface ResolveOptions {
  zonlbPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** What `zonlab ab NAME:PATH` takes for a driver: a build of its own, and where the side's process is told of it. */
export interface BuildArgument {
  /** Where the parsed side keeps it (a record's field: kept as it is). */
  field: 'object' | 'zonlb';
  /** zon-lb is nothing without its binary; the embedded driver has a build of its own. */
  required: boolean;
  /** What the build is, in a refusal: "binary", "BPF object". */
  noun: string;
  suffix?: { ext: string; hint: string };
  example: string;
  unbuilt: string;
}

/**
 * One driver, said once: what it runs, what it implements, what it needs of the lab and how it
 * loads. The drivers' own modules keep load and unload; everything that asks about a driver by
 * name asks here.
 */
export interface DriverSpec {
  readonly name: DriverName;
  /** Tools on PATH it runs: preflight names each one missing with its package. */
  readonly tools: readonly string[];
  /** The zon-lb options it implements, row by row (capabilities.ts); absent: it is zon-lb, or reads none. */
  readonly capabilities?: Capabilities;
  /** What it brings to the lab for itself, from the zonlb.toml and the topology (pure). */
  needs(config: ZonlbConfig, s: Scenario): Needs;
  /** It forwards with XDP: what it redirects passes a link's qdisc by. */
  readonly xdp: boolean;
  /** It pins maps in a bpffs that the sandbox mounts for it. */
  readonly bpffs: boolean;
  readonly build?: BuildArgument;
  /** Its module, imported only when chosen (koffi loads with the embedded one). */
  load(opts: ResolveOptions): Promise<Driver>;
}

const NO_NEEDS: Needs = { sysctls: [], neighbours: [], cannot: [] };

export const DRIVERS: { readonly [N in DriverName]: DriverSpec & { name: N } } = {
  embedded: {
    name: 'embedded',
    tools: [],
    capabilities: CAPABILITIES.embedded,
    needs: embeddedNeeds,
    xdp: true,
    bpffs: true,
    build: {
      field: 'object',
      required: false,
      noun: 'BPF object',
      suffix: { ext: '.o', hint: 'embedded:PATH.o names a build of bpf/zonlb_xdp.c' },
      example: 'embedded:base.o',
      unbuilt: 'build it first, e.g. clang -O2 -g -target bpf -c bpf/zonlb_xdp.c -o base.o',
    },
    async load() {
      try {
        return (await import('./embedded/index.js')).embeddedDriver;
      } catch (err) {
        const why = (err as Error).message.split('\n')[0];
        throw new MissingRequirement([
          `the embedded XDP driver is unavailable: ${why} (use --lb nft, the kernel's DNAT, or give a zon-lb binary with --zonlb PATH)`,
        ]);
      }
    },
  },
  nft: {
    name: 'nft',
    tools: ['nft'],
    capabilities: CAPABILITIES.nft,
    needs: nftNeeds,
    xdp: false,
    bpffs: false,
    load: async () => (await import('./nft.js')).nftDriver,
  },
  'zon-lb': {
    name: 'zon-lb',
    // its binary is given or found (findZonlbBinary), not a tool of the distribution
    tools: [],
    // zon-lb's examples ping every peer in setup.sh, which fills the neighbour tables its program reads
    // zon-lb's examples ping every peer in setup.sh, which fills the neighbour tables its program reads
    needs: zonlbNeeds,
    xdp: true,
    bpffs: false,
    build: {
      field: 'zonlb',
      required: true,
      noun: 'binary',
      example: 'zon-lb:target/release/zon-lb',
      unbuilt: 'build zon-lb first (cargo build --release)',
    },
    async load(opts) {
      const { zonlbBinaryDriver } = await import('./zonlb-binary.js');
      return zonlbBinaryDriver({ path: findZonlbBinary(opts) });
    },
  },
  none: {
    name: 'none',
    tools: [],
    needs: () => NO_NEEDS,
    xdp: false,
    bpffs: false,
    load: async () => (await import('./none.js')).noneDriver,
  },
};

export function findZonlbBinary(opts: ResolveOptions): string | undefined {
  const env = opts.env ?? process.env;
  return opts.zonlbPath ?? env.ZONLB ?? findOnPath('zon-lb', env);
}

/** 'auto' is zon-lb when a binary is found, else the embedded driver; each driver's module loads only when chosen. */
export async function resolveDriver(choice: DriverChoice, opts: ResolveOptions = {}): Promise<Driver> {
  if (choice !== 'auto') return DRIVERS[choice].load(opts);
  if (findZonlbBinary(opts)) return DRIVERS['zon-lb'].load(opts);
  return DRIVERS.embedded.load(opts).catch((err: Error) => {
    throw err instanceof MissingRequirement
      ? new MissingRequirement(err.reasons.map((r) => `no zon-lb binary found and ${r}`))
      : err;
  });
}

/** What the driver brings to this scenario's lab (nothing without a zonlb.toml): one need per sysctl, the first reason standing for the others. */
export function driverNeeds(driver: DriverName, s: Scenario): Needs {
  if (!s.lb.config) return NO_NEEDS;
  const n = DRIVERS[driver].needs(s.lb.config, s);
  const sysctls = n.sysctls.filter((x, i) => n.sysctls.findIndex((y) => y.key === x.key) === i);
  return { ...n, sysctls };
}

/** Why the driver cannot serve this scenario (empty: it can), said before anything is built: the topology it cannot reach, the options it lacks. */
export function cannotServe(s: Scenario, driver: DriverName): string[] {
  const { capabilities } = DRIVERS[driver];
  return [
    ...driverNeeds(driver, s).cannot,
    ...(capabilities && s.lb.config ? lacking(driver, capabilities, s.lb.config) : []),
  ];
}

/** 'auto' forwards with XDP whichever it finds (zon-lb or the embedded program). */
export const forwardsWithXdp = (choice: DriverChoice): boolean => choice === 'auto' || DRIVERS[choice].xdp;
