import { hostLabOf, type HostLab } from '../../../lab/host-state.js';
import { labsOf, ownerWords, type LabEntry } from '../../../lab/registry.js';
import { ExitCode, UserError } from '../../errors.js';

/**
 * A lab of one scenario name, as `down` and `exec` choose among them (issue 22): sandboxes cannot
 * collide, so several users may each have one up; a lab is named by its id (the run id).
 */
export interface LabChoice {
  /** The run id; a damaged host journal has none. */
  id?: string;
  mode: 'sandbox' | 'host';
  command: 'run' | 'up';
  /** A run whose process is running its checks: stopped only by its id and --force. */
  inProgress: boolean;
  entry?: LabEntry;
  host?: HostLab;
}

/** The sandboxes of NAME and its host lab (with --host, the host lab alone). */
export function labChoices(name: string, hostOnly = false): LabChoice[] {
  const out: LabChoice[] = hostOnly
    ? []
    : labsOf(name)
        .filter((e) => e.mode === 'sandbox')
        .map((e) => ({
          id: e.runId,
          mode: 'sandbox' as const,
          command: e.command,
          inProgress: e.command === 'run',
          entry: e,
        }));
  const host = hostLabOf(name);
  if (host) {
    const entry = host.state === 'damaged' ? undefined : host.entry;
    out.push({
      id: host.state === 'damaged' ? undefined : host.header.runId,
      mode: 'host',
      command: entry?.command ?? 'run',
      inProgress: host.state === 'running',
      entry,
      host,
    });
  }
  return out;
}

/** One line per lab: id, how and by whom. */
export function describeChoice(c: LabChoice): string {
  const state =
    c.host && c.host.state !== 'running' ? c.host.state : c.inProgress ? 'run in progress' : 'held by zonlab up';
  const owner = c.entry?.owner
    ? ownerWords(c.entry.owner)
    : c.host && c.host.state !== 'damaged'
      ? `pid ${c.host.header.pid}`
      : 'owner unknown';
  return `${c.id ?? '(no id: damaged journal)'}  ${c.mode}, ${state} (${owner})`;
}

/**
 * The lab `--id` names, else the one lab of NAME that `up` holds (or a host lab no run holds:
 * left up, or left by a killed run). A run in progress is never chosen without its id. Undefined
 * when there is none; several are listed with a request for --id.
 */
export function chooseLab(
  name: string,
  choices: LabChoice[],
  id: string | undefined,
  command: 'down' | 'exec',
): LabChoice | undefined {
  const list = choices.map((c) => `  ${describeChoice(c)}`);
  if (id !== undefined) {
    const c = choices.find((x) => x.id === id);
    if (!c)
      throw new UserError(
        `${name} has no lab with id ${id}`,
        ExitCode.badInput,
        choices.length ? [`its labs:`, ...list] : [`nothing of ${name} is up; zonlab status lists what is`],
      );
    return c;
  }
  const held = choices.filter((c) => !c.inProgress);
  if (held.length > 1) {
    throw new UserError(`${name}: ${held.length} labs of that name are up; say which with --id`, ExitCode.badInput, [
      ...list,
      `e.g. zonlab ${command} ${name}${command === 'exec' ? ' NETNS' : ''} --id ${held[0]!.id ?? 'ID'}${command === 'exec' ? ' -- COMMAND' : ''}`,
    ]);
  }
  return held[0];
}

/** What `down`/`exec` say of the runs in progress they leave alone. */
export function runsLeftAlone(name: string, choices: LabChoice[], command: 'down' | 'exec'): string[] {
  return choices
    .filter((c) => c.inProgress)
    .map(
      (c) =>
        `${name}: ${describeChoice(c)}: not touched (${command === 'down' ? `zonlab down ${name} --id ${c.id} --force stops it` : `zonlab exec ${name} NETNS --id ${c.id} -- COMMAND enters it`})`,
    );
}
