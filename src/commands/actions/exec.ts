import { inNetns } from '../../../lab/net.js';
import { runOnTerminal } from '../../../lab/run-command.js';
import { execInSandbox } from '../../../lab/sandbox.js';
import { UserError } from '../../errors.js';
import { requireRoot, type CommonArgs } from '../common.js';
import { chooseLab, labChoices, runsLeftAlone } from './lab-choice.js';

/** A command in a namespace of the lab `--id` names, else of the one lab of the scenario that `up` holds. */
export async function execCommand(
  a: CommonArgs & { scenario: string; netns: string; cmd: string[]; id?: string },
): Promise<number> {
  requireRoot('exec');
  if (!a.cmd.length) throw new UserError('no command given', 2, ['zonlab exec SCENARIO NETNS -- COMMAND ARGS…']);
  const choices = labChoices(a.scenario, a.host);
  const choice = chooseLab(a.scenario, choices, a.id, 'exec');
  if (!choice)
    throw new UserError(`${a.scenario} is not up${choices.length ? ' as zonlab up holds a lab' : ''}`, 2, [
      ...runsLeftAlone(a.scenario, choices, 'exec'),
      `zonlab up ${a.scenario} brings it up`,
    ]);
  if (choice.host?.state === 'damaged' || choice.host?.state === 'stale')
    throw new UserError(`${a.scenario}: the host lab ${choice.id ?? ''} is ${choice.host.state}`, 2, [
      `zonlab down ${a.scenario} --host removes what it left`,
    ]);
  const namespaces = choice.entry?.namespaces;
  const ns = a.netns === 'default' ? undefined : a.netns;
  if (ns !== undefined && namespaces && !namespaces.includes(ns))
    throw new UserError(`${a.scenario} has no namespace ${ns}`, 2, [`its namespaces: default ${namespaces.join(' ')}`]);
  if (choice.mode === 'sandbox') return execInSandbox(choice.entry!.holderPid!, ns, a.cmd);
  return runOnTerminal(inNetns(a.cmd, ns));
}
