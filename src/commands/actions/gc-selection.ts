import { MARKER_PREFIX } from '../../../lab/steps.js';

/** The run an alias "zonlab:RUN:SCENARIO" names, or undefined when it is not zonlab's marker. */
export function runOfMarker(alias: unknown): string | undefined {
  return typeof alias === 'string' && alias.startsWith(MARKER_PREFIX) ? (alias.split(':')[1] ?? '') : undefined;
}

/** What gc may remove by marker alone: an alias "zonlab:RUN:SCENARIO" of a run that is not live. */
export function markedByDeadRun(alias: unknown, liveRuns: ReadonlySet<string>): boolean {
  const run = runOfMarker(alias);
  return run !== undefined && !liveRuns.has(run);
}

/** An nft table zonlab made (zonlab_RUN) for a run that is not live. */
export function tableOfDeadRun(name: string, liveRuns: ReadonlySet<string>): boolean {
  return /^zonlab_[a-z0-9]+$/.test(name) && !liveRuns.has(name.slice('zonlab_'.length));
}
