import { hostLabs, type HostLab } from '../../../lab/host-state.js';
import { listLabs, type LabEntry } from '../../../lab/registry.js';
import { paint, table } from '../../output/table.js';
import type { CommonArgs } from '../common.js';

/** What status says of a host lab: a live run is only ever described, never offered for removal. */
function hostLabNote(lab: HostLab): string {
  switch (lab.state) {
    case 'running':
      return `running (pid ${lab.header.pid})`;
    case 'up':
      return `up: zonlab down ${lab.name} --host removes it`;
    case 'stale':
      return paint(
        `its run (pid ${lab.header.pid}) was killed: zonlab down ${lab.name} --host or zonlab gc removes what it left`,
        'yellow',
      );
    case 'damaged':
      return paint(
        `damaged journal: zonlab down ${lab.name} --host or zonlab gc sets it aside and undoes what it can read`,
        'yellow',
      );
  }
}

export function statusCommand(a: Pick<CommonArgs, 'json'> & { scenario?: string }): number {
  const wanted = (name: string) => !a.scenario || name === a.scenario;
  const hosts = hostLabs().filter((l) => wanted(l.name));
  const hostOf = (l: LabEntry) => hosts.find((h) => h.state !== 'damaged' && h.header.runId === l.runId);
  // a host entry whose journal is now another run's is history: only the journal's own run is shown
  const labs = listLabs().filter((l) => wanted(l.scenario) && (l.mode === 'sandbox' || hostOf(l)));
  const unlisted = hosts.filter((h) => !labs.some((l) => l.mode === 'host' && hostOf(l) === h));
  if (a.json) {
    const state = (l: LabEntry) => (l.mode === 'sandbox' ? (l.command === 'run' ? 'running' : 'up') : hostOf(l)!.state);
    process.stdout.write(
      `${JSON.stringify({ labs: labs.map((l) => ({ ...l, id: l.runId, state: state(l) })), hostLabsWithoutEntry: unlisted.map((h) => ({ scenario: h.name, state: h.state })) }, null, 2)}\n`,
    );
    return 0;
  }
  if (!labs.length && !unlisted.length) {
    process.stdout.write('nothing is up\n');
    return 0;
  }
  const rows = labs.map((l) => {
    const host = l.mode === 'host' ? hostOf(l) : undefined;
    const note = host ? hostLabNote(host) : l.command === 'run' ? 'running' : 'up';
    const o = l.owner;
    // the process that runs it: a run's zonlab, a sandbox up's holder
    const pid = l.mode === 'sandbox' && l.command === 'up' ? l.holderPid : (o?.pid ?? l.pid ?? l.holderPid);
    return [
      l.scenario,
      l.mode,
      l.command,
      l.driver,
      l.runId,
      l.started.replace('T', ' ').slice(0, 19),
      o ? `${o.user}${o.sudoUser ? ` (${o.sudoUser})` : ''}` : '?',
      String(pid ?? '-'),
      o?.cwd ?? '?',
      o?.command ?? '?',
      note,
    ];
  });
  for (const h of unlisted)
    rows.push([
      h.name,
      'host',
      '?',
      '?',
      h.state === 'damaged' ? '?' : h.header.runId,
      h.state === 'damaged' ? '?' : h.header.started.replace('T', ' ').slice(0, 19),
      '?',
      h.state === 'damaged' ? '-' : String(h.header.pid),
      '?',
      '?',
      hostLabNote(h),
    ]);
  process.stdout.write(
    `${table(['scenario', 'mode', 'by', 'driver', 'id', 'started (UTC)', 'user', 'pid', 'folder', 'command', 'state'], rows)}\n`,
  );
  return 0;
}
