import { ExitCode } from '../errors.js';
import type { DataPath, Mutant } from './catalogue.js';

/** A check as a child `zonlab run --json` reports it. */
export interface ChildCheck {
  name: string;
  status: string;
  summary: string;
}

/** One mutant on one data path. */
export interface PathVerdict {
  path: DataPath;
  applicable: boolean;
  /** Not applicable: why; an error: what went wrong. */
  why?: string;
  /** killed: some check failed; survived: every check passed; error: the run gave no verdict. */
  outcome?: 'killed' | 'survived' | 'error';
  /** The checks that failed, and how. */
  by: { name: string; summary: string }[];
  durationMs?: number;
}

export interface MutantVerdict {
  name: string;
  description: string;
  /** Applicable on some path. */
  applicable: boolean;
  why?: string;
  /** Killed on every path it applies to. */
  killed: boolean;
  /** The checks that killed it, on any path. */
  by: string[];
  /** For a survivor: what kind of check would catch it. */
  catches: string;
  paths: PathVerdict[];
}

/** A child run's exit code and document as a verdict: only a run whose checks ran can kill or spare a mutant. */
export function pathVerdict(
  path: DataPath,
  code: number,
  doc: { status?: string; checks?: ChildCheck[] } | undefined,
  reason: string | undefined,
  durationMs?: number,
): PathVerdict {
  const failed = (doc?.checks ?? [])
    .filter((c) => c.status !== 'passed')
    .map((c) => ({ name: c.name, summary: c.summary }));
  if (doc?.checks && code === ExitCode.passed && !failed.length)
    return { path, applicable: true, outcome: 'survived', by: [], durationMs };
  if (doc?.checks && code === ExitCode.checkFailed && failed.length)
    return { path, applicable: true, outcome: 'killed', by: failed, durationMs };
  return { path, applicable: true, outcome: 'error', why: reason ?? `exit ${code}`, by: failed, durationMs };
}

export function mutantVerdict(m: Mutant, paths: PathVerdict[]): MutantVerdict {
  const applied = paths.filter((p) => p.applicable);
  const by = [...new Set(applied.flatMap((p) => p.by.map((b) => b.name)))];
  const why = applied.length ? undefined : [...new Set(paths.map((p) => p.why))].join('; ');
  return {
    name: m.name,
    description: m.description,
    applicable: applied.length > 0,
    why,
    killed: applied.length > 0 && applied.every((p) => p.outcome === 'killed'),
    by,
    catches: m.catches,
    paths,
  };
}

/** 0 when every applicable mutant is killed on every path; 1 when one survives or a run gave no verdict. */
export function mutantsExit(verdicts: MutantVerdict[]): number {
  return verdicts.every((v) => !v.applicable || v.killed) ? 0 : 1;
}
