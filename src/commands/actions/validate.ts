import path from 'node:path';
import type { CommonArgs } from '../common.js';
import { loadFor, requireChecks } from '../scenario-arg.js';

/** "1 namespace", "2 namespaces". */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function validateCommand(a: CommonArgs & { scenario: string }): number {
  const s = loadFor(a.scenario, a);
  requireChecks(s);
  const msg = `${s.files[0]}: valid (${count(s.namespaces.length, 'namespace')}, ${count(s.veths.length, 'veth pair')}, ${count(s.checks.length, 'check')}${s.lb.config ? `, load balancer config ${path.basename(s.lb.config.file)} with ${count(s.lb.config.services.length, 'service')}` : ''})`;
  process.stdout.write(a.json ? `${JSON.stringify({ valid: true, scenario: s.name, hash: s.hash })}\n` : `${msg}\n`);
  return 0;
}
