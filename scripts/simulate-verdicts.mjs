#!/usr/bin/env node
// The README's table of verdict error rates (section "Verdicts that adapt to the noise"): seeded
// synthetic runs of `zonlab ab --repeat auto` and of a run against a stored baseline, through the
// rule the product uses (src/stats/sequential.ts); test/stats/simulation.test.ts asserts the same
// table's bounds. Bold: a bound the row does not meet. Usage: node scripts/simulate-verdicts.mjs
// (after npx tsc).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
  'dist',
  'src',
  'stats',
  'simulation.js',
);
const { simulationTable, tableMarkdown, TABLE_RUNS } = await import(pathToFileURL(dist).href);
const t0 = Date.now();
const rows = simulationTable();
console.log(tableMarkdown(rows));
console.log(`\n${TABLE_RUNS} seeded runs per cell, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
