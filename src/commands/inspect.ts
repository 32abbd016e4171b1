import path from 'node:path';
import { stepCommands } from '../../lab/step-commands.js';
import { groupSteps, isNetlinkGroup, netlinkWanted, type Group } from '../../lab/apply.js';
import type { DriverName } from '../drivers/driver.js';
import { hostFacts } from '../host-facts.js';
import { paint, table } from '../output/table.js';
import { cannotServe, planLab } from '../plan/plan.js';
import { MissingRequirement } from '../errors.js';
import { describeStep } from '../../lab/steps.js';
import { listScenarioFiles, loadScenario, scenarioFolders } from '../scenario/load.js';
import { readRecords } from '../results/store.js';
import { formatRate } from './run-output.js';
import { loadFor, requireChecks, type CommonArgs } from './common.js';

/** `plan` without root: 'auto' is shown as the embedded driver would be, the common case. */
export function planCommand(a: CommonArgs & { scenario: string }): number {
  const s = loadFor(a.scenario, a);
  const choice = a.lb ?? s.lb.driver;
  const driver: DriverName = choice === 'auto' ? 'embedded' : choice;
  const { steps } = planLab(s, { driver, mode: a.host ? 'host' : 'sandbox', runId: 'RUNID' });
  const cannot = cannotServe(s, driver);
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ scenario: s.name, driver, steps: steps.map((st) => ({ ...st, description: describeStep(st), commands: stepCommands(st).run })), checks: s.checks.map((c) => c.name), cannot }, null, 2)}\n`);
    return planVerdict(cannot);
  }
  const lines = [`${s.name}: ${s.description}`, `driver: ${driver}${choice === 'auto' ? ' (auto: zon-lb when a binary is found)' : ''}; ${a.host ? 'host' : 'sandbox'} mode; kernel ${hostFacts().kernel}`, ''];
  const groups = groupSteps(steps.filter((st) => st.kind !== 'lb-load'));
  const netlink = netlinkWanted() ? groups.filter(isNetlinkGroup) : [];
  const startOf = new Map(groups.filter((g) => g.steps.length > 1 || netlink.includes(g)).map((g) => [g.steps[0]!.index, g]));
  const span = (i: number, g: Group) => (g.steps.length > 1 ? `steps ${i + 1}–${i + g.steps.length}` : `step ${i + 1}`);
  steps.forEach((st, i) => {
    const g = startOf.get(i);
    if (g && netlink.includes(g)) lines.push(paint(`     ┌ ${span(i, g)}: netlink requests in ${g.netns}, no process (ZONLAB_ENGINE=ip: one \`ip -n ${g.netns} -batch\`)`, 'dim'));
    else if (g) lines.push(paint(`     ┌ ${span(i, g)}: one ${g.kind === 'ip' ? `\`ip${g.netns ? ` -n ${g.netns}` : ''} -batch\`` : '`sysctl -w`'} process`, 'dim'));
    lines.push(`${String(i + 1).padStart(3)}. ${describeStep(st)}`);
    for (const c of stepCommands(st).run) lines.push(paint(`       ${c.netns ? `[${c.netns}] ` : ''}${c.argv.join(' ')}`, 'dim'));
  });
  const driverCalls = steps.some((st) => st.kind === 'lb-load') ? ', 1 driver call' : '';
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : what.endsWith('s') ? 'es' : 's'}`;
  lines.push('', `${n(steps.length, 'step')}: ${n(groups.length - netlink.length, 'process')}${netlink.length ? `, netlink requests in ${n(netlink.length, 'namespace')}` : ''}${driverCalls}`);
  lines.push('', 'then:');
  for (const c of s.checks) lines.push(`  check ${c.name}: ${c.kind} from ${c.from ?? 'default'} to ${c.to}${'port' in c ? `:${c.port}` : ''}${'server' in c ? ` → server ${c.server.address}:${c.server.port}@${c.server.netns ?? 'default'}` : ''}`);
  lines.push('  record the result, then tear everything down in reverse');
  process.stdout.write(`${lines.join('\n')}\n`);
  return planVerdict(cannot);
}

/** A plan the driver cannot serve is printed all the same, then refused as `run` would refuse it. */
function planVerdict(cannot: string[]): number {
  if (cannot.length) throw new MissingRequirement(cannot);
  return 0;
}

export function validateCommand(a: CommonArgs & { scenario: string }): number {
  const s = loadFor(a.scenario, a);
  requireChecks(s);
  const msg = `${s.files[0]}: valid (${s.namespaces.length} namespaces, ${s.veths.length} veth pairs, ${s.checks.length} checks${s.lb.config ? `, load balancer config ${path.basename(s.lb.config.file)} with ${s.lb.config.services.length} services` : ''})`;
  process.stdout.write(a.json ? `${JSON.stringify({ valid: true, scenario: s.name, hash: s.hash })}\n` : `${msg}\n`);
  return 0;
}

/** The scenario folder's scenarios, then the shipped examples it does not shadow (runnable by name, not by --all). */
export function listCommand(a: Pick<CommonArgs, 'json'>): number {
  const rows: { name: string; description: string; folder: string; example: boolean; error?: string }[] = [];
  scenarioFolders().forEach((folder, i) => {
    for (const file of listScenarioFiles(folder)) {
      const name = path.basename(file, '.toml');
      if (rows.some((r) => r.name === name)) continue;
      try {
        rows.push({ name, folder, example: i > 0, description: loadScenario(file).description });
      } catch (err) {
        rows.push({ name, folder, example: i > 0, description: '', error: (err as Error).message });
      }
    }
  });
  if (a.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${table(['scenario', 'description'], rows.map((r) => [r.example ? `${r.name} ${paint('(example)', 'dim')}` : r.name, r.error ? paint(`INVALID: ${r.error}`, 'red') : r.description]))}\n`);
  return 0;
}

export function resultsCommand(a: Pick<CommonArgs, 'json'> & { scenario?: string }): number {
  const { records, corrupt } = readRecords(a.scenario);
  for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
  if (a.json) {
    process.stdout.write(`${JSON.stringify(records.map((r) => ({ file: r.file, ...r.record })), null, 2)}\n`);
    return 0;
  }
  const rows = records.map(({ record: r }) => {
    const rates = Object.entries(r.measurements).filter(([, m]) => m.bits_per_second !== undefined).map(([k, m]) => `${k} ${formatRate(m.bits_per_second)}`);
    return [r.time.replace('T', ' ').slice(0, 19), r.scenario.name, r.driver.name, r.status === 'passed' ? paint('passed', 'green') : paint(r.status, 'red'), `${r.checks.filter((c) => c.status === 'passed').length}/${r.checks.length}`, rates.join(', ') || '-', r.id];
  });
  process.stdout.write(rows.length ? `${table(['time (UTC)', 'scenario', 'driver', 'status', 'checks', 'throughput', 'run'], rows)}\n` : 'no results recorded yet\n');
  return 0;
}
