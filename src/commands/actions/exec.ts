import { labsOf } from '../../../lab/registry.js';
import { inNetns, spawnInherited } from '../../../lab/run-command.js';
import { nsenterArgv } from '../../../lab/sandbox.js';
import { childExit, UserError } from '../../errors.js';
import { requireRoot, type CommonArgs } from '../common.js';

export async function execCommand(a: CommonArgs & { scenario: string; netns: string; cmd: string[] }): Promise<number> {
  requireRoot('exec');
  if (!a.cmd.length) throw new UserError('no command given', 2, ['zonlab exec SCENARIO NETNS -- COMMAND ARGS…']);
  const labs = labsOf(a.scenario);
  const lab = labs.find((l) => l.mode === (a.host ? 'host' : 'sandbox')) ?? labs[0];
  if (!lab) throw new UserError(`${a.scenario} is not up`, 2, [`zonlab up ${a.scenario} brings it up`]);
  const ns = a.netns === 'default' ? undefined : a.netns;
  if (ns !== undefined && !lab.namespaces.includes(ns)) throw new UserError(`${a.scenario} has no namespace ${ns}`, 2, [`its namespaces: default ${lab.namespaces.join(' ')}`]);
  const argv = lab.mode === 'sandbox' ? nsenterArgv(lab.holderPid!, ns, a.cmd) : inNetns(a.cmd, ns);
  const child = spawnInherited(argv);
  return new Promise((resolve) => child.on('exit', (code, sig) => resolve(childExit(code, sig))));
}
