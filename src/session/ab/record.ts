import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MAX_BYTES, readTextCapped } from '../../files.js';
import type { HostFacts } from '../../host-facts.js';
import { writeJsonRecord } from '../../results/store.js';
import type { Verdict } from '../../stats/verdict.js';
import type { AbStop, AbVerdict, RoundSample } from './rounds.js';

/** What a side was: the load balancer as given, the driver's version (a build's path and sha256, a binary's), its programs. */
export interface AbSideIdentity {
  spec: string;
  /** The side's own scenario parameters (`--a-set`/`--b-set`). */
  set?: string[];
  driver: string;
  version: string;
  /** The side's own run record (results/SCENARIO/…), as a run writes it. */
  runId: string;
  record?: string;
  status: string;
  /** The load balancer's XDP/tc programs (name and tag: the tag changes with the code). */
  programs: { name: string; tag: string }[];
}

export type AbStatus = 'passed' | 'failed' | 'interrupted' | 'error' | 'skipped';

/**
 * One A/B: both sides ran here, in this job, interleaved; the record holds both sides' samples
 * round by round, so the verdicts can be drawn again. Written to results/ab/SCENARIO/, apart from
 * the run records (its shape is not a run's), and never rewritten.
 */
export interface AbRecord {
  schema: 1;
  kind: 'ab';
  id: string;
  time: string;
  durationMs: number;
  scenario: { name: string; hash: string; params: Record<string, unknown> };
  /** The machine both sides ran on: an A/B never pairs two machines, merged shards keep theirs apart. */
  machine: string;
  host: HostFacts;
  a: AbSideIdentity;
  b: AbSideIdentity;
  plan: { repeat: number | 'auto'; max: number; looks: number[]; maxDrop: number; budgetS?: number };
  rounds: number;
  stoppedBy: AbStop;
  samples: { a: RoundSample[]; b: RoundSample[] };
  verdicts: AbVerdict[];
  worst?: Verdict;
  status: AbStatus;
  error?: string;
  exitCode: number;
}

export const AB_DIR = 'ab';

export function writeAbRecord(rec: AbRecord, results: string): string {
  return writeJsonRecord(path.join(results, AB_DIR, rec.scenario.name), rec);
}

/** Every A/B record of a results folder, oldest first; files that are not one are listed, not fatal. */
export function readAbRecords(results: string): {
  records: { file: string; record: AbRecord }[];
  corrupt: { file: string; why: string }[];
} {
  const out: ReturnType<typeof readAbRecords> = { records: [], corrupt: [] };
  const root = path.join(results, AB_DIR);
  if (!existsSync(root)) return out;
  for (const sub of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const dir = path.join(root, sub.name);
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const file = path.join(dir, f);
      try {
        const rec = JSON.parse(readTextCapped(file, MAX_BYTES.record)) as AbRecord;
        if (rec.schema !== 1 || rec.kind !== 'ab' || !rec.scenario?.name || !Array.isArray(rec.verdicts))
          throw new Error('not a zonlab A/B record');
        out.records.push({ file, record: rec });
      } catch (err) {
        out.corrupt.push({ file, why: (err as Error).message.split('\n')[0]! });
      }
    }
  }
  out.records.sort((x, y) => x.record.time.localeCompare(y.record.time));
  return out;
}
