import test from 'ava';
import { groupSteps, waveLine, wavesOf } from '../../lab/apply.js';
import { planScenario } from '../../src/plan/plan.js';
import { loadScenario } from '../../src/scenario/load.js';

const seed = loadScenario('veth-netns');
const facts = { kernel: '6.18.44', driver: 'nft' as const, bpfDir: '/b' };

test('steps group into one ip process per namespace and one sysctl process', (t) => {
  const groups = groupSteps(planScenario(seed, facts).filter((s) => s.kind !== 'lb-load'));
  t.deepEqual(
    groups.map((g) => `${g.kind}:${g.netns ?? 'default'}:${g.steps.length}`),
    ['ip:default:5', 'ip:zone1:3', 'single:default:1', 'sysctl:default:2'],
  );
  // the fault-injection pause splits a group exactly after its step
  t.deepEqual(
    groupSteps(
      planScenario(seed, facts).filter((s) => s.kind !== 'lb-load'),
      2,
    ).map((g) => g.steps.length),
    [2, 3, 3, 1, 2],
  );
});

test("progress counts the plan's steps and says what the plan says: netlink requests, not a process (issue 24)", (t) => {
  const steps = planScenario(seed, { ...facts, driver: 'embedded' });
  const waves = wavesOf(groupSteps(steps.filter((s) => s.kind !== 'lb-load')));
  const lines = (netlink: boolean) => waves.map((w) => waveLine(w, netlink));
  t.deepEqual(
    lines(true).map((l) => l.index),
    [1, 6, 9, 10],
  );
  t.is(steps[steps.length - 1]!.kind, 'lb-load', 'the load is the last step: lab.ts counts it as step N of N');
  t.regex(lines(true)[0]!.description, /\(\+4 more, one ip process\)$/);
  t.regex(lines(true)[1]!.description, /\(\+2 more: netlink requests in zone1, no process\)$/);
  t.regex(lines(true)[3]!.description, /\(\+1 more, one sysctl process\)$/);
  // ZONLAB_ENGINE=ip, or no koffi: the same group is one `ip -n zone1 -batch` process
  t.regex(lines(false)[1]!.description, /\(\+2 more, one ip process\)$/);
});

test('progress of a wave over several namespaces: netlink requests in each, or processes at a time', (t) => {
  const many = loadScenario('many-clients');
  const steps = planScenario(many, { ...facts, driver: 'embedded' }).filter((s) => s.kind !== 'lb-load');
  const wave = wavesOf(groupSteps(steps)).find((w) => w.length > 1)!;
  t.regex(
    waveLine(wave, true).description,
    new RegExp(`netlink requests in ${wave.length} namespaces, no process\\)$`),
  );
  t.regex(waveLine(wave, false).description, new RegExp(`${wave.length} namespaces, \\d+ processes at a time\\)$`));
});
