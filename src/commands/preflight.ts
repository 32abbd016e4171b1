import { preflight as checkBeforeStart } from '../session/preflight.js';
import type { Scenario } from '../scenario/types.js';
import type { CommonArgs } from './common.js';

/** The session's preflight with the command line's options: the driver and the plan, or a skip. */
export function preflight(s: Scenario, a: CommonArgs, runId?: string): ReturnType<typeof checkBeforeStart> {
  return checkBeforeStart(s, {
    lb: a.lb,
    zonlb: a.zonlb,
    host: a.host,
    runId,
    progress: a.json ? undefined : (line) => process.stderr.write(`zonlab: ${line} (first use)\n`),
  });
}
