import path from 'node:path';
import type { CommonArgs } from '../common.js';
import { loadFor, requireChecks } from '../scenario-arg.js';

export function validateCommand(a: CommonArgs & { scenario: string }): number {
  const s = loadFor(a.scenario, a);
  requireChecks(s);
  const msg = `${s.files[0]}: valid (${s.namespaces.length} namespaces, ${s.veths.length} veth pairs, ${s.checks.length} checks${s.lb.config ? `, load balancer config ${path.basename(s.lb.config.file)} with ${s.lb.config.services.length} services` : ''})`;
  process.stdout.write(a.json ? `${JSON.stringify({ valid: true, scenario: s.name, hash: s.hash })}\n` : `${msg}\n`);
  return 0;
}
