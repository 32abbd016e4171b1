import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { MAX_BYTES, readTextCapped } from '../files.js';
import path from 'node:path';
import { resultsDir } from '../paths.js';
import type { RunRecord } from './record.js';

/**
 * Writes a record atomically: a temporary file in the same directory, fsynced, then renamed, so a
 * crash leaves either no record or a whole one. Records are never overwritten.
 */
export function writeRecord(rec: RunRecord, dir = resultsDir()): string {
  return writeJsonRecord(path.join(dir, rec.scenario.name), rec);
}

/** Written atomically under DIR as TIME-ID.json, never over another: a run's record, or an A/B's. */
export function writeJsonRecord(sub: string, rec: { time: string; id: string }): string {
  mkdirSync(sub, { recursive: true, mode: 0o755 });
  const file = path.join(sub, `${rec.time.replace(/[:.]/g, '-')}-${rec.id}.json`);
  if (existsSync(file)) throw new Error(`${file} exists already: records are never rewritten`);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(rec, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return file;
}

export interface LoadedRecord {
  file: string;
  record: RunRecord;
}

export interface ReadResults {
  records: LoadedRecord[];
  /** Files that could not be read as records: reported, not fatal. */
  corrupt: { file: string; why: string }[];
}

export function readRecords(scenario?: string, dir = resultsDir()): ReadResults {
  const out: ReadResults = { records: [], corrupt: [] };
  if (!existsSync(dir)) return out;
  const subs = scenario ? [scenario] : readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'baselines').map((d) => d.name);
  for (const sub of subs) {
    const full = path.join(dir, sub);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full).filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(full, f);
      try {
        const rec = JSON.parse(readTextCapped(file, MAX_BYTES.record)) as RunRecord;
        if (rec.schema !== 1 || typeof rec.id !== 'string' || !rec.scenario?.name) throw new Error('not a zonlab run record');
        out.records.push({ file, record: rec });
      } catch (err) {
        out.corrupt.push({ file, why: (err as Error).message.split('\n')[0]! });
      }
    }
  }
  out.records.sort((a, b) => a.record.time.localeCompare(b.record.time));
  return out;
}
