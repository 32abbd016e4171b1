import { startLab, type LabMode, type Loader, type StartedLab } from '../../lab/lab.js';
import type { Driver, LoadContext, LoadedBalancer } from '../drivers/driver.js';
import { DRIVERS } from '../drivers/kinds.js';
import { ExitCode, UserError } from '../errors.js';
import type { LabPlan } from '../plan/plan.js';
import type { Scenario } from '../scenario/types.js';
import { initialConfig } from '../events/schedule.js';

export type ScenarioLab = StartedLab<LoadedBalancer>;
export type { LabMode };

export interface StartOptions {
  log(line: string): void;
  onStep?(index: number, total: number, description: string): void;
  keepOnFailure?: boolean;
  command?: 'run' | 'up';
}

/** Builds the plan's lab and loads the driver into it: the engine applies the steps, this loads the load balancer. */
export function startScenarioLab(plan: LabPlan, driver: Driver, o: StartOptions): Promise<ScenarioLab> {
  const s = plan.scenario;
  return startLab<LoadedBalancer>({
    ...o,
    name: s.name,
    mode: plan.mode,
    runId: plan.runId,
    steps: plan.steps,
    driver: driver.name,
    bpffs: DRIVERS[driver.name].bpffs,
    loader: s.lb.config
      ? (workDir) =>
          driverLoader(driver, {
            config: initialConfig(s.lb.config!, s.events),
            runId: plan.runId,
            workDir,
            log: o.log,
            peers: peersOf(s),
            host: plan.mode === 'host',
          })
      : undefined,
  });
}

function driverLoader(driver: Driver, ctx: LoadContext): Loader<LoadedBalancer> {
  return {
    what: driver.name,
    crashUndo: driver.crashUndo?.(ctx) ?? [],
    load: () =>
      driver.load(ctx).catch((err: Error) => {
        // the driver's own failure (zon-lb's ERROR line, a verifier log, an nft syntax error) is the user's to read
        throw err instanceof UserError
          ? err
          : new UserError(
              `the load balancer (${driver.name}) failed to load`,
              ExitCode.checkFailed,
              err.message.split('\n'),
            );
      }),
    unload: (balancer) => balancer.unload(),
  };
}

/** The other end of each default-namespace veth, by name: where replies can be translated. */
function peersOf(s: Scenario): Record<string, { netns?: string; name: string }> {
  const peers: Record<string, { netns?: string; name: string }> = {};
  for (const v of s.veths) {
    if (v.a.netns === undefined) peers[v.a.name] = { netns: v.b.netns, name: v.b.name };
    if (v.b.netns === undefined) peers[v.b.name] = { netns: v.a.netns, name: v.a.name };
  }
  return peers;
}
