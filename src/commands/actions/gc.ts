import { hostLabs, holderOf, tearDownHostLab } from '../../../lab/host-state.js';
import { listLabs } from '../../../lab/registry.js';
import { describeFailure, runCommand } from '../../../lab/run-command.js';
import { listDir, removeWorkDir, workRoot } from '../../../lab/state-files.js';
import { ExitCode } from '../../errors.js';
import { applyCommon, requireRoot, type CommonArgs } from '../common.js';
import { markedByDeadRun, runOfMarker, tableOfDeadRun } from './gc-selection.js';

export interface GcReport {
  removed: string[];
  kept: string[];
  /** Things set aside or ended on the way (a damaged journal, a process left in a lab's namespace). */
  warnings: string[];
  failures: string[];
}

/**
 * Finds what zonlab runs left on the host, first through their journals, then by ownership marker
 * alone (an interface alias or the alias of a namespace's lo, "zonlab:RUN:SCENARIO"; nft tables
 * named zonlab_*), and removes it. What a live zonlab process holds is kept; nothing unmarked is
 * touched.
 */
export async function collectGarbage(o: { ids?: string[] } = {}): Promise<GcReport> {
  const report: GcReport = { removed: [], kept: [], warnings: [], failures: [] };
  const inScope = (runId: string | undefined) => !o.ids || (runId !== undefined && o.ids.includes(runId));
  // listed before the live runs are known: a run that starts meanwhile makes its journal first
  const workDirs = listDir(workRoot()).filter(inScope);
  const liveRuns = new Set<string>();
  for (const lab of hostLabs().filter((l) => inScope(l.state === 'damaged' ? undefined : l.header.runId))) {
    if (lab.state === 'running') {
      liveRuns.add(lab.header.runId);
      report.kept.push(`host lab ${lab.name} (in use by ${holderOf(lab)})`);
      continue;
    }
    const t = await tearDownHostLab(lab, (line) => report.warnings.push(line));
    report.warnings.push(...t.ended.map((p) => `ended ${p}, left in the lab's namespace`));
    report.failures.push(...t.failures);
    if (!t.failures.length) {
      const whose = lab.state === 'damaged' ? 'with a damaged journal' : `of run ${lab.header.runId}`;
      report.removed.push(`host lab ${lab.name} ${whose} (${t.undone} steps, from its journal)`);
    }
  }
  for (const lab of listLabs()) liveRuns.add(lab.runId);
  for (const runId of workDirs.filter((d) => !liveRuns.has(d))) {
    removeWorkDir(runId);
    report.removed.push(`work directory of run ${runId}`);
  }

  const ours = (alias: unknown) => markedByDeadRun(alias, liveRuns) && inScope(runOfMarker(alias));
  const nsList = await runCommand(['ip', '-j', 'netns', 'list'], { reject: false });
  for (const ns of parseJson<{ name: string }[]>(nsList.stdout) ?? []) {
    const lo = await runCommand(['ip', '-n', ns.name, '-j', 'link', 'show', 'dev', 'lo'], { reject: false });
    const alias = parseJson<{ ifalias?: string }[]>(lo.stdout)?.[0]?.ifalias;
    if (!ours(alias)) continue;
    await remove(report, `namespace ${ns.name} (${alias})`, ['ip', 'netns', 'delete', ns.name]);
  }
  const links = await runCommand(['ip', '-j', 'link', 'show'], { reject: false });
  for (const l of parseJson<{ ifname: string; ifalias?: string }[]>(links.stdout) ?? []) {
    if (ours(l.ifalias))
      await remove(report, `interface ${l.ifname} (${l.ifalias})`, ['ip', 'link', 'delete', 'dev', l.ifname]);
  }
  const nft = await runCommand(['nft', '-j', 'list', 'tables'], { reject: false });
  for (const item of parseJson<{ nftables: { table?: { family: string; name: string } }[] }>(nft.stdout)?.nftables ??
    []) {
    const t = item.table;
    if (t && tableOfDeadRun(t.name, liveRuns) && inScope(t.name.slice('zonlab_'.length)))
      await remove(report, `nft table ${t.family} ${t.name}`, ['nft', 'delete', 'table', t.family, t.name]);
  }
  return report;
}

async function remove(report: GcReport, what: string, argv: string[]): Promise<void> {
  const r = await runCommand(argv, { reject: false });
  if (r.failed) report.failures.push(`${what}: ${describeFailure(r)}`);
  else report.removed.push(what);
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export async function gcCommand(a: CommonArgs & { id?: string[] }): Promise<number> {
  requireRoot('gc');
  applyCommon(a);
  const report = await collectGarbage({ ids: a.id });
  for (const r of report.removed) process.stdout.write(`removed ${r}\n`);
  for (const k of report.kept) process.stdout.write(`kept ${k}\n`);
  for (const w of report.warnings) process.stderr.write(`zonlab: ${w}\n`);
  for (const f of report.failures) process.stderr.write(`zonlab: ${f}\n`);
  if (!report.removed.length && !report.failures.length) process.stdout.write('nothing left behind\n');
  return report.failures.length ? ExitCode.teardownFailed : 0;
}
