import type { Need } from '../../../lab/steps.js';
import type { End } from './reach.js';

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
