import test from 'ava';
import { readFileSync } from 'node:fs';
import { dataPaths, MUTANTS } from '../../src/mutants/catalogue.js';
import { mutantsExit, mutantVerdict, pathVerdict } from '../../src/mutants/judge.js';
import { loadScenario } from '../../src/scenario/load.js';

const applicable = (name: string, path: 'xdp' | 'tc' = 'xdp') => {
  const s = loadScenario(name);
  return MUTANTS.filter((m) => !m.applies(s, path)).map((m) => m.name);
};

test("which mutants can show in an example, and on which of the embedded driver's paths", (t) => {
  t.deepEqual(applicable('netns-veth-to-netns'), [
    'untranslated',
    'no-reverse',
    'ignore-src-ip',
    'wrong-port',
    'drop-1-in-50',
    'stale-checksum',
  ]);
  t.deepEqual(dataPaths(loadScenario('netns-veth-to-netns')), ['tc', 'xdp'], 'backends behind links of one MTU');
  t.deepEqual(dataPaths(loadScenario('ip-fragmentation-pmtud')), ['xdp'], 'a backend link of a smaller MTU');
  t.deepEqual(dataPaths(loadScenario('dsr-l2')), ['xdp'], 'direct server return');
  t.deepEqual(dataPaths(loadScenario('veth-netns')), ['tc', 'xdp'], "every backend on the load balancer's host");
  t.deepEqual(applicable('veth-netns', 'tc'), [
    'untranslated',
    'no-reverse',
    'wrong-port',
    'drop-1-in-50',
    'stale-checksum',
  ]);
  t.true(applicable('dsr-l2').includes('dsr-as-nat'));
  t.true(applicable('ip-fragmentation-pmtud').includes('no-frag-needed'));
  const s = loadScenario('ip-fragmentation-pmtud');
  t.regex(MUTANTS.find((m) => m.name === 'no-frag-needed')!.applies(s, 'tc')!, /tc path/);
});

test('every mutant is a switch of bpf/zonlb_mutants.h, with its own number', (t) => {
  const header = readFileSync(new URL('../../../bpf/zonlb_mutants.h', import.meta.url), 'utf8');
  const defined = [...header.matchAll(/^#define M_\w+ (\d+)/gm)].map((m) => Number(m[1]));
  t.deepEqual(
    MUTANTS.map((m) => m.id).sort((a, b) => a - b),
    defined.sort((a, b) => a - b),
  );
});

test('a child run as a verdict: killed by the failed checks, survived when all passed, an error otherwise; exit 1 when one survives', (t) => {
  const m = MUTANTS[0]!;
  const killed = pathVerdict(
    'xdp',
    1,
    {
      checks: [
        { name: 'telnet', status: 'failed', summary: 'x' },
        { name: 'ping', status: 'passed', summary: 'y' },
      ],
    },
    undefined,
  );
  t.like(killed, { outcome: 'killed', by: [{ name: 'telnet', summary: 'x' }] });
  const survived = pathVerdict('tc', 0, { checks: [{ name: 'telnet', status: 'passed', summary: 'x' }] }, undefined);
  t.is(survived.outcome, 'survived');
  t.like(pathVerdict('xdp', 4, undefined, 'a requirement is missing'), {
    outcome: 'error',
    why: 'a requirement is missing',
  });
  t.like(mutantVerdict(m, [killed, survived]), { killed: false, by: ['telnet'], applicable: true });
  t.is(
    mutantsExit([
      mutantVerdict(m, [killed]),
      mutantVerdict(m, [{ path: 'tc', applicable: false, why: 'n/a', by: [] }]),
    ]),
    0,
  );
  t.is(mutantsExit([mutantVerdict(m, [killed, survived])]), 1);
});
