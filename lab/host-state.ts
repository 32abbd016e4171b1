import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { LabError } from './errors.js';
import { DamagedJournal, Journal, type JournalHeader } from './journal.js';
import { isSameProcess } from './process-identity.js';
import { readEntries, unregisterLab, type LabEntry } from './registry.js';
import { hostDir, hostJournalFile, listDir, removeWorkDir } from './state-files.js';
import { teardown, type TeardownReport } from './teardown.js';

export { hostJournalFile } from './state-files.js';

/** The one rule for a --host lab: running (its process lives), up (left up on purpose), stale (its run was killed), damaged (unreadable). */
export type HostLab =
  | {
      state: 'running' | 'up' | 'stale';
      name: string;
      file: string;
      journal: Journal;
      header: JournalHeader;
      entry?: LabEntry;
    }
  | { state: 'damaged'; name: string; file: string; reason: string };

export function hostLabOf(name: string): HostLab | undefined {
  const file = hostJournalFile(name);
  let journal: Journal;
  try {
    journal = Journal.read(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof DamagedJournal) return { state: 'damaged', name, file, reason: err.message };
    throw err;
  }
  const header = journal.header;
  const entry = readEntries().find((e) => e.mode === 'host' && e.runId === header.runId);
  const state = holds(header) ? 'running' : entry?.leftUp ? 'up' : 'stale';
  return { state, name, file, journal, header, entry };
}

/** Every host lab with a journal on this machine. */
export function hostLabs(): HostLab[] {
  return listDir(hostDir())
    .filter((f) => f.endsWith('.journal'))
    .map((f) => hostLabOf(f.slice(0, -'.journal'.length)))
    .filter((l): l is HostLab => l !== undefined);
}

/** A journal from before start times were recorded: a live pid is taken for the run (refusing is the safe side). */
function holds(h: JournalHeader): boolean {
  if (h.pidStart !== undefined) return isSameProcess({ pid: h.pid, start: h.pidStart });
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds a host lab, in words: "run 1a2b (pid 42, started …)". */
export function holderOf(lab: Extract<HostLab, { header: JournalHeader }>): string {
  const by = lab.entry?.command === 'up' ? 'zonlab up' : 'run';
  return `${by} ${lab.header.runId} (pid ${lab.header.pid}, started ${lab.header.started})`;
}

/** The refusal of `up`, `run` and `down` when a live process holds the lab. */
export function inUseError(lab: Extract<HostLab, { header: JournalHeader }>): LabError {
  return new LabError(`${lab.name} is in use by ${holderOf(lab)}`, 'refused', [
    'wait for it to finish, or stop it with Ctrl-C; zonlab status shows what is up',
  ]);
}

/** Takes down a host lab no live process holds, from its journal; a damaged journal is set aside and what can be read is undone. */
export async function tearDownHostLab(lab: HostLab, warn: (line: string) => void): Promise<TeardownReport> {
  if (lab.state === 'running') throw inUseError(lab);
  if (lab.state === 'damaged') {
    const text = readFileSync(lab.file, 'utf8');
    const aside = `${lab.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(lab.file, aside);
    warn(`${lab.reason}: set aside as ${path.basename(aside)}; undoing what can be read of it`);
    return teardown(Journal.salvage(text, lab.name));
  }
  const report = await teardown(lab.journal);
  if (!report.failures.length) {
    lab.journal.remove();
    removeWorkDir(lab.header.runId);
    unregisterLab(lab.header.runId);
  }
  return report;
}

/** Names a --host lab would create must be free: what zonlab did not make is never reused, so never removed by its teardown. */
export async function hostPreflight(name: string, namespaces: string[], hostLinks: string[]): Promise<void> {
  const taken: string[] = [];
  for (const ns of namespaces) if (existsSync(path.join('/run/netns', ns))) taken.push(`namespace ${ns}`);
  for (const link of hostLinks) if (existsSync(path.join('/sys/class/net', link))) taken.push(`interface ${link}`);
  if (taken.length) {
    throw new LabError(`cannot build ${name} on the host: ${taken.join(', ')} already exist`, 'refused', [
      'zonlab never reuses what it did not create; if a zonlab run left them, `zonlab gc` removes them',
      'or run without --host: the default sandbox never collides',
    ]);
  }
}
