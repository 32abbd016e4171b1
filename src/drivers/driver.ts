import type { Undo } from '../../lab/undo-intents.js';
import type { ZonlbConfig } from '../zonlb/config.js';

import type { DriverName, EventAction } from '../scenario/types.js';

/** What a driver needs to load a config into the lab. */
export interface LoadContext {
  config: ZonlbConfig;
  /** A short unique id of this run, for names of owned objects (nft table, bpffs pins). */
  runId: string;
  /** Directory the driver may write files into for this run (removed at teardown). */
  workDir: string;
  log: (line: string) => void;
  /** The other end of each default-namespace veth, by name: where replies can be translated. */
  peers?: Record<string, { netns?: string; name: string }>;
  /** A --host lab: the machine's default namespace and bpffs, which other users of the load balancer share. */
  host?: boolean;
}

/**
 * A load balancer in the lab. `load` returns what was loaded; unload must be idempotent and try
 * everything even when one part fails.
 */
export interface Driver {
  readonly name: DriverName;
  /** Reasons this driver cannot run here or cannot serve this config (empty: it can). */
  missing(config: ZonlbConfig | undefined): Promise<string[]>;
  version(): Promise<string>;
  load(ctx: LoadContext): Promise<LoadedBalancer>;
  /**
   * Commands (or intents, lab/undo-intents.ts) that remove what `load` makes, carried out by
   * `zonlab down`/`gc` after a crash of a --host run (journalled before `load` runs). Optional:
   * sandboxed runs never need it.
   */
  crashUndo?(ctx: LoadContext): Undo[];
  /** Why it cannot apply an [[event]] action here (undefined: it can); a driver without it applies none. */
  cannotApply?(action: EventAction): string | undefined;
}

/** What the load balancer counted for one service, read before and after a check: the proof it carried the check's packets. */
export interface ServiceCount {
  /** Packets of the service's flows the load balancer handled (nft: new flows it translated). */
  packets: number;
  /** What the figure counts, as a person reads it: "service gid 1", "interface veth0 (zon-lb stats)". */
  scope: string;
  /** Per backend key ("1_0"), where the driver can tell. */
  backends?: Record<string, number>;
  /** Of `packets`, those toward the backends, and those of their replies (DSR: the balancer sees none). */
  requests?: number;
  replies?: number;
}

export interface LoadedBalancer {
  readonly driver: DriverName;
  readonly version: string;
  /** Called before throughput checks (zon-lb: turn logging off). */
  beforeThroughput?(): Promise<void>;
  /** Counters the driver keeps, recorded in the run's result. */
  counters?(): Promise<Record<string, number>>;
  /** Per service, by gid: see ServiceCount. A driver without it cannot prove a check. */
  serviceCounts?(): Promise<Record<number, ServiceCount>>;
  /**
   * An [[event]] under live traffic (issue 23). `config` is the zonlb.toml's backends in force after
   * it (remove-backend, add-backend; the same for the others). Returns what it did, in a line.
   */
  apply?(action: EventAction, config: ZonlbConfig): Promise<string>;
  unload(): Promise<void>;
}
