import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { Journal } from '../../lab/journal.js';
import { MARKER_PREFIX } from '../../lab/lab.js';
import { isAlive, listLabs, unregisterLab } from '../../lab/registry.js';
import { describeFailure, runCommand } from '../../lab/run-command.js';
import { teardown } from '../../lab/teardown.js';
import { stateDir } from '../paths.js';

export interface GcReport {
  removed: string[];
  kept: string[];
  failures: string[];
}

/**
 * Finds what zonlab runs left on the host, first through their journals, then by ownership marker
 * alone (an interface alias or the alias of a namespace's lo, "zonlab:RUN:SCENARIO"; nft tables
 * named zonlab_*), and removes it. What a live zonlab process holds is kept; nothing unmarked is
 * touched.
 */
export async function collectGarbage(): Promise<GcReport> {
  const report: GcReport = { removed: [], kept: [], failures: [] };
  const liveRuns = new Set<string>();
  for (const lab of listLabs()) if (lab.mode === 'host' && lab.command === 'run') liveRuns.add(lab.runId);

  const hostDir = path.join(stateDir(), 'host');
  for (const f of existsSync(hostDir) ? readdirSync(hostDir).filter((n) => n.endsWith('.journal')) : []) {
    const file = path.join(hostDir, f);
    let journal: Journal;
    try { journal = Journal.read(file); } catch (err) { report.failures.push(`${file}: ${(err as Error).message}`); continue; }
    if (journal.header.pid !== process.pid && isAlive(journal.header.pid) && liveRuns.has(journal.header.runId)) {
      report.kept.push(`${journal.header.scenario} (run ${journal.header.runId}, in use by pid ${journal.header.pid})`);
      continue;
    }
    const t = await teardown(journal);
    report.failures.push(...t.failures);
    if (!t.failures.length) {
      unlinkSync(file);
      unregisterLab(journal.header.runId);
      report.removed.push(`host lab ${journal.header.scenario} of run ${journal.header.runId} (${t.undone} steps, from its journal)`);
    }
  }

  const ours = (alias: unknown) => typeof alias === 'string' && alias.startsWith(MARKER_PREFIX) && !liveRuns.has(alias.split(':')[1] ?? '');
  const nsList = await runCommand(['ip', '-j', 'netns', 'list'], { reject: false });
  for (const ns of parseJson<{ name: string }[]>(nsList.stdout) ?? []) {
    const lo = await runCommand(['ip', '-n', ns.name, '-j', 'link', 'show', 'dev', 'lo'], { reject: false });
    const alias = parseJson<{ ifalias?: string }[]>(lo.stdout)?.[0]?.ifalias;
    if (!ours(alias)) continue;
    await remove(report, `namespace ${ns.name} (${alias})`, ['ip', 'netns', 'delete', ns.name]);
  }
  const links = await runCommand(['ip', '-j', 'link', 'show'], { reject: false });
  for (const l of parseJson<{ ifname: string; ifalias?: string }[]>(links.stdout) ?? []) {
    if (ours(l.ifalias)) await remove(report, `interface ${l.ifname} (${l.ifalias})`, ['ip', 'link', 'delete', 'dev', l.ifname]);
  }
  const nft = await runCommand(['nft', '-j', 'list', 'tables'], { reject: false });
  for (const item of parseJson<{ nftables: { table?: { family: string; name: string } }[] }>(nft.stdout)?.nftables ?? []) {
    const t = item.table;
    if (t && /^zonlab_[a-z0-9]+$/.test(t.name) && !liveRuns.has(t.name.slice(7))) await remove(report, `nft table ${t.family} ${t.name}`, ['nft', 'delete', 'table', t.family, t.name]);
  }
  return report;
}

async function remove(report: GcReport, what: string, argv: string[]): Promise<void> {
  const r = await runCommand(argv, { reject: false });
  if (r.failed) report.failures.push(`${what}: ${describeFailure(r)}`);
  else report.removed.push(what);
}

function parseJson<T>(text: string): T | undefined {
  try { return JSON.parse(text) as T; } catch { return undefined; }
}
