import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../src/errors.js';
import { stateDir } from '../src/paths.js';
import type { Scenario } from '../src/scenario/types.js';

/** A --host run's journal; its existence means the lab may be (partly) up. */
export function hostJournalFile(scenario: string): string {
  return path.join(stateDir(), 'host', `${scenario}.journal`);
}

/**
 * Names a --host run would create must be free: a namespace or link of the same name that zonlab
 * did not make is never reused, and so never removed by our teardown.
 */
export async function hostPreflight(s: Scenario): Promise<void> {
  const taken: string[] = [];
  for (const ns of s.namespaces) if (existsSync(path.join('/run/netns', ns))) taken.push(`namespace ${ns}`);
  for (const v of s.veths) {
    for (const end of [v.a, v.b]) {
      if (end.netns === undefined && existsSync(path.join('/sys/class/net', end.name))) taken.push(`interface ${end.name}`);
    }
  }
  if (taken.length) {
    throw new UserError(`cannot build ${s.name} on the host: ${taken.join(', ')} already exist`, 2, [
      'zonlab never reuses what it did not create; if a zonlab run left them, `zonlab gc` removes them',
      'or run without --host: the default sandbox never collides',
    ]);
  }
}
