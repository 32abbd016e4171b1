import { insideSandbox } from '../../lab/sandbox.js';
import { InvalidInput } from '../errors.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { printWarnings, scenarioWarnings } from '../plan/warnings.js';
import type { CommonArgs } from './common.js';
import { setValues } from './options.js';

/**
 * Loads a scenario for a command; its warnings (the zonlb.toml's, and the scenario's with the
 * chosen driver) go to stderr once (not again inside the sandbox).
 */
export function loadFor(ref: string, a: Pick<CommonArgs, 'set' | 'lb'>): Scenario {
  const s = loadScenario(ref, { set: setValues(a.set ?? []) });
  if (!insideSandbox()) printWarnings([...(s.lb.config?.warnings ?? []), ...scenarioWarnings(s, a.lb ?? s.lb.driver)]);
  return s;
}

/** A run must check something: a scenario without [[check]] would pass having proved nothing. */
export function requireChecks(s: Scenario): void {
  if (s.checks.length) return;
  throw new InvalidInput([
    {
      file: s.files[0] ?? s.name,
      key: 'check',
      message: 'no [[check]]: a run of this scenario would check nothing, so it cannot pass',
      hint: 'add a [[check]] (telnet, nc, ping, iperf or iperf3; zonlab init writes an example); zonlab up builds a lab without checks',
    },
  ]);
}
