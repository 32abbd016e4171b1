import type { Scenario } from '../../scenario/types.js';
import type { Need } from '../../../lab/steps.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { DriverName } from '../../scenario/types.js';
import type { End } from './reach.js';
import { embeddedNeeds } from './embedded.js';
import { nftNeeds } from './nft.js';
import { zonlbNeeds } from './zonlb.js';

/** A sysctl of the load balancer's namespace that a driver needs set. */
export interface SysctlNeed {
  key: string;
  value: string;
  need: Need;
}

/** A neighbour entry of the load balancer's namespace: ADDRESS on DEV is PEER's MAC. */
export interface NeighbourNeed {
  dev: string;
  address: string;
  peer: End;
  need: Need;
}

/**
 * What a driver brings to a lab for itself, derived from the zonlb.toml and the topology (pure),
 * and why it cannot serve the topology when it cannot (said before anything is built).
 */
export interface Needs {
  sysctls: SysctlNeed[];
  neighbours: NeighbourNeed[];
  /** Interfaces the lab makes with an index the driver needs (chosen when the lab is built: lab/ifindex-reservations.ts). */
  ifindexes?: { interfaces: string[]; need: Need };
  cannot: string[];
}

type NeedsOf = (config: ZonlbConfig, s: Scenario) => Needs;

const NEEDS: Record<Exclude<DriverName, 'none'>, NeedsOf> = {
  embedded: embeddedNeeds,
  nft: nftNeeds,
  // zon-lb's examples ping every peer in setup.sh, which fills the neighbour tables its program reads
  'zon-lb': zonlbNeeds,
};

export function driverNeeds(driver: DriverName, s: Scenario): Needs {
  if (driver === 'none' || !s.lb.config) return { sysctls: [], neighbours: [], cannot: [] };
  const n = NEEDS[driver](s.lb.config, s);
  // one step per key: the first reason given stands for the others
  const sysctls = n.sysctls.filter((x, i) => n.sysctls.findIndex((y) => y.key === x.key) === i);
  return { ...n, sysctls };
}
