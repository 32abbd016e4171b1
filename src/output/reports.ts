import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { junitXml, type NotRun, type ReportedRun } from './junit.js';
import { markdownSummary } from './markdown.js';

/** --junit FILE, --markdown FILE and $GITHUB_STEP_SUMMARY (their paths were checked before the run). */
export function writeReports(
  runs: ReportedRun[],
  a: { junit?: string; markdown?: string },
  notRun: NotRun[] = [],
): void {
  for (const f of [a.junit, a.markdown]) if (f) mkdirSync(path.dirname(path.resolve(f)), { recursive: true });
  if (a.junit) writeFileSync(a.junit, junitXml(runs, notRun));
  const md = a.markdown || process.env.GITHUB_STEP_SUMMARY ? markdownSummary(runs) : undefined;
  if (a.markdown) writeFileSync(a.markdown, md!);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md!);
}
