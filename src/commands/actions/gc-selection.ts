import { MARKER_PREFIX } from '../../../lab/steps.js';

/** What gc may remove by marker alone: an alias "zonlab:RUN:SCENARIO" of a run that is not live. */
export function markedByDeadRun(alias: unknown, liveRuns: ReadonlySet<string>): boolean {
  return typeof alias === 'string' && alias.startsWith(MARKER_PREFIX) && !liveRuns.has(alias.split(':')[1] ?? '');
}

/** An nft table zonlab made (zonlab_RUN) for a run that is not live. */
export function tableOfDeadRun(name: string, liveRuns: ReadonlySet<string>): boolean {
  return /^zonlab_[a-z0-9]+$/.test(name) && !liveRuns.has(name.slice('zonlab_'.length));
}
