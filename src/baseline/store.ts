import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { readJsonCapped } from '../files.js';
import path from 'node:path';
import { resultsDir } from '../paths.js';
import { identityOf, type LbIdentity } from '../results/identity.js';
import type { RunRecord } from '../results/record.js';
import type { Fingerprint } from '../stats/fingerprint.js';
import type { Summary } from '../stats/summary.js';

/** A stored reference for one scenario and driver: meant to be committed (results/baselines/). */
export interface Baseline {
  schema: 1;
  scenario: string;
  driver: string;
  saved: string;
  fromRun: string;
  fingerprint: Fingerprint;
  samples: Record<string, Record<string, number[]>>;
  stats: Record<string, Record<string, Summary>>;
  /** The load balancer it measured (absent in baselines saved before it was recorded). */
  identity?: LbIdentity;
}

export function baselinesDir(dir = resultsDir()): string {
  return path.join(dir, 'baselines');
}

export function baselineFile(scenario: string, driver: string, dir = resultsDir()): string {
  return path.join(baselinesDir(dir), `${scenario}--${driver}.json`);
}

export function baselineFromRecord(r: RunRecord): Baseline {
  return {
    schema: 1,
    scenario: r.scenario.name,
    driver: r.driver.name,
    saved: new Date().toISOString(),
    fromRun: r.id,
    fingerprint: r.fingerprint,
    samples: r.samples,
    stats: r.stats,
    identity: identityOf(r),
  };
}

export function saveBaseline(b: Baseline, dir = resultsDir()): string {
  const file = baselineFile(b.scenario, b.driver, dir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(b, null, 2)}\n`, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
  return file;
}

export function loadBaseline(scenario: string, driver: string, dir = resultsDir()): Baseline | undefined {
  const file = baselineFile(scenario, driver, dir);
  if (!existsSync(file)) return undefined;
  return readJsonCapped<Baseline>(file, 'a zonlab baseline');
}

export function listBaselines(dir = resultsDir()): Baseline[] {
  const d = baselinesDir(dir);
  if (!existsSync(d)) return [];
  const out: Baseline[] = [];
  for (const f of readdirSync(d).filter((n) => n.endsWith('.json'))) {
    try {
      out.push(readJsonCapped<Baseline>(path.join(d, f), 'a zonlab baseline'));
    } catch {
      /* reported by compare */
    }
  }
  return out;
}
