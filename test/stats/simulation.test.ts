import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/paths.js';
import {
  BOUND,
  simulate,
  simulationTable,
  TABLE_RUNS,
  tableMarkdown,
  trueRatio,
  type TableRow,
} from '../../src/stats/simulation.js';
import { lookAlpha, lookSchedule } from '../../src/stats/sequential.js';

// The README's table (node scripts/simulate-verdicts.mjs prints it): worked out once, asserted row by row.
const rows: TableRow[] = simulationTable();

/** Two standard errors of a rate estimated from TABLE_RUNS runs, at the bound: a rate that is really at the bound fails. */
const margin = (p: number) => 2 * Math.sqrt((p * (1 - p)) / TABLE_RUNS);

const name = (r: TableRow) =>
  `${r.case.path} ${r.case.direction} σ ${r.case.sigma} drift ${r.case.drift}${r.case.hog ? ' hog' : ''} cap ${r.case.max}${r.case.baselineSamples ? ` baseline ${r.case.baselineSamples}` : ''}`;

test('the error rate spent over the looks adds up to α, most of it at the last look', (t) => {
  const looks = lookSchedule(20);
  t.deepEqual(looks, [5, 7, 10, 14, 20]);
  const shares = looks.map((n) => lookAlpha(n, looks));
  t.true(Math.abs(shares.reduce((a, b) => a + b, 0) - 0.05) < 1e-12);
  t.true(shares[4]! > 0.03, 'the last look keeps most');
  t.true(shares.every((s, i) => i === 0 || s > shares[i - 1]!));
  t.is(lookAlpha(12, looks), shares[3]!, 'a stop between looks (a time budget) spends the next look’s share');
  t.is(lookAlpha(5, [5]), 0.05, 'a fixed --repeat is one look with the whole α');
});

for (const r of rows) {
  test(`simulated ${name(r)}: the bounds the README claims`, (t) => {
    t.log(
      `regressed: ${(r.none.rates.regressed * 100).toFixed(1)}% / ${(r.threshold.rates.regressed * 100).toFixed(1)}% / ${(r.twice.rates.regressed * 100).toFixed(1)}%`,
    );
    const e = r.case.expect;
    const falseAlarm = r.none.rates.regressed;
    const atThreshold = r.threshold.rates.regressed;
    const power = r.twice.rates.regressed;
    if (e.falseAlarm)
      t.true(
        falseAlarm + margin(BOUND.falseAlarm) <= BOUND.falseAlarm,
        `regressed when nothing changed: ${falseAlarm}`,
      );
    else t.true(falseAlarm > BOUND.falseAlarm, `the table says this row breaks the 1% bound: ${falseAlarm}`);
    if (e.atThreshold)
      t.true(
        atThreshold + margin(BOUND.atThreshold) <= BOUND.atThreshold,
        `regressed at the threshold: ${atThreshold}`,
      );
    else t.true(atThreshold > BOUND.atThreshold, `the table says this row breaks the 5% bound: ${atThreshold}`);
    if (e.power) t.true(power - margin(BOUND.power) >= BOUND.power, `power at twice the threshold: ${power}`);
    else t.true(power < BOUND.power, `the table says this row misses 90% power: ${power}`);
    // never the wrong way round (unless a drift between runs moved the level itself)
    t.is(r.twice.rates.improved, 0);
    if (r.case.path === 'ab' || r.case.drift === 0)
      t.true(r.twice.rates.unchanged <= 0.01, `unchanged at twice the threshold: ${r.twice.rates.unchanged}`);
  });
}

test('ab holds its bounds with a drift within the job, where a stored baseline breaks them under a drift between runs', (t) => {
  const abRows = rows.filter((r) => r.case.path === 'ab');
  t.true(
    abRows.every((r) => r.none.rates.regressed <= BOUND.falseAlarm && r.threshold.rates.regressed <= BOUND.atThreshold),
  );
  t.true(
    abRows.some((r) => r.case.hog),
    'a switching CPU hog is among them',
  );
  t.true(
    abRows.some((r) => r.case.direction === 'lower'),
    'and the cost per packet (lower is better)',
  );
  const drifted = rows.filter((r) => r.case.path === 'baseline' && r.case.drift >= 0.03);
  t.true(drifted.length > 0 && drifted.every((r) => r.threshold.rates.regressed > BOUND.atThreshold));
});

test('the simulation is seeded: the same case gives the same rates', (t) => {
  const c = rows[0]!.case;
  t.deepEqual(simulate(c, 'threshold', 200, 7), simulate(c, 'threshold', 200, 7));
  t.is(trueRatio('twice', { direction: 'lower', maxDrop: 0.1 }), 1.2);
  t.is(trueRatio('threshold', { direction: 'higher', maxDrop: 0.1 }), 0.9);
});

test('the Markdown table has a row per case and marks the bounds a row misses in bold', (t) => {
  const md = tableMarkdown(rows).split('\n');
  t.is(md.length, rows.length + 2);
  t.regex(
    md.find((l) => l.includes('10.0% between runs'))!,
    /\*\*\d/,
  );
});

test('the README shows this very table (node scripts/simulate-verdicts.mjs prints it)', (t) => {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  t.true(readme.includes(tableMarkdown(rows)), 'rerun the script and paste its table into README.md');
});
