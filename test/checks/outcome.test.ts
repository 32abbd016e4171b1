import test from 'ava';
import { failedOutcome, measuredOutcome } from '../../src/checks/outcome.js';

test('a measured check that fails keeps its figures: the reason first, the same summary after', (t) => {
  const done = { name: 'hold', kind: 'hold' as const, evidence: {}, measurements: { broken: 2 }, durationMs: 5 };
  t.like(measuredOutcome(done, '30 connections: 2 broken', undefined), {
    status: 'passed',
    summary: '30 connections: 2 broken',
    error: undefined,
  });
  t.like(measuredOutcome(done, '30 connections: 2 broken', '2 connections broke (max_broken 0)'), {
    status: 'failed',
    error: '2 connections broke (max_broken 0)',
    summary: '2 connections broke (max_broken 0) (30 connections: 2 broken)',
    measurements: { broken: 2 },
  });
});

test('a check that ended before it measured: the reason is its summary and its error, the evidence so far kept', (t) => {
  const o = failedOutcome({ name: 'nc', kind: 'nc' }, Date.now(), { serverCommand: ['nc'] }, 'nc did not listen');
  t.like(o, {
    name: 'nc',
    kind: 'nc',
    status: 'failed',
    summary: 'nc did not listen',
    error: 'nc did not listen',
    evidence: { serverCommand: ['nc'] },
  });
  t.true(o.durationMs >= 0);
});
