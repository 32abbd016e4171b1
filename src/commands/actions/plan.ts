import { stepCommands } from '../../../lab/step-commands.js';
import { groupSteps, isNetlinkGroup, netlinkWanted, type Group } from '../../../lab/apply.js';
import { cannotServe, type DriverName } from '../../drivers/kinds.js';
import { hostFacts } from '../../host-facts.js';
import { paint } from '../../output/table.js';
import { planLab } from '../../plan/plan.js';
import { MissingRequirement } from '../../errors.js';
import { describeStep } from '../../../lab/steps.js';
import type { CommonArgs } from '../common.js';
import { loadFor } from '../scenario-arg.js';

/** `plan` without root: 'auto' is shown as the embedded driver would be, the common case. */
export function planCommand(a: CommonArgs & { scenario: string }): number {
  const s = loadFor(a.scenario, a);
  const choice = a.lb ?? s.lb.driver;
  const driver: DriverName = choice === 'auto' ? 'embedded' : choice;
  const { steps } = planLab(s, { driver, mode: a.host ? 'host' : 'sandbox', runId: 'RUNID' });
  const cannot = cannotServe(s, driver);
  if (a.json) {
    process.stdout.write(
      `${JSON.stringify({ scenario: s.name, driver, steps: steps.map((st) => ({ ...st, description: describeStep(st), commands: stepCommands(st).run })), checks: s.checks.map((c) => c.name), cannot }, null, 2)}\n`,
    );
    return planVerdict(cannot);
  }
  const lines = [
    `${s.name}: ${s.description}`,
    `driver: ${driver}${choice === 'auto' ? ' (auto: zon-lb when a binary is found)' : ''}; ${a.host ? 'host' : 'sandbox'} mode; kernel ${hostFacts().kernel}`,
    '',
  ];
  const groups = groupSteps(steps.filter((st) => st.kind !== 'lb-load'));
  const netlink = netlinkWanted() ? groups.filter(isNetlinkGroup) : [];
  const startOf = new Map(
    groups.filter((g) => g.steps.length > 1 || netlink.includes(g)).map((g) => [g.steps[0]!.index, g]),
  );
  const span = (i: number, g: Group) => (g.steps.length > 1 ? `steps ${i + 1}–${i + g.steps.length}` : `step ${i + 1}`);
  steps.forEach((st, i) => {
    const g = startOf.get(i);
    if (g && netlink.includes(g))
      lines.push(
        paint(
          `     ┌ ${span(i, g)}: netlink requests in ${g.netns}, no process (ZONLAB_ENGINE=ip: one \`ip -n ${g.netns} -batch\`)`,
          'dim',
        ),
      );
    else if (g)
      lines.push(
        paint(
          `     ┌ ${span(i, g)}: one ${g.kind === 'ip' ? `\`ip${g.netns ? ` -n ${g.netns}` : ''} -batch\`` : '`sysctl -w`'} process`,
          'dim',
        ),
      );
    lines.push(`${String(i + 1).padStart(3)}. ${describeStep(st)}`);
    for (const c of stepCommands(st).run)
      lines.push(paint(`       ${c.netns ? `[${c.netns}] ` : ''}${c.argv.join(' ')}`, 'dim'));
  });
  const driverCalls = steps.some((st) => st.kind === 'lb-load') ? ', 1 driver call' : '';
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : what.endsWith('s') ? 'es' : 's'}`;
  lines.push(
    '',
    `${n(steps.length, 'step')}: ${n(groups.length - netlink.length, 'process')}${netlink.length ? `, netlink requests in ${n(netlink.length, 'namespace')}` : ''}${driverCalls}`,
  );
  lines.push('', 'then:');
  for (const c of s.checks)
    lines.push(
      `  check ${c.name}: ${c.kind} from ${c.from ?? 'default'} to ${c.to}${'port' in c ? `:${c.port}` : ''}${'server' in c ? ` → server ${c.server.address}:${c.server.port}@${c.server.netns ?? 'default'}` : ''}`,
    );
  lines.push('  record the result, then tear everything down in reverse');
  process.stdout.write(`${lines.join('\n')}\n`);
  return planVerdict(cannot);
}

/** A plan the driver cannot serve is printed all the same, then refused as `run` would refuse it. */
function planVerdict(cannot: string[]): number {
  if (cannot.length) throw new MissingRequirement(cannot);
  return 0;
}
