import test from 'ava';
import { groupSteps } from '../../lab/apply.js';
import { planScenario } from '../../src/plan/plan.js';
import { loadScenario } from '../../src/scenario/load.js';

const seed = loadScenario('veth-netns');
const facts = { kernel: '6.18.44', driver: 'nft' as const, bpfDir: '/b' };

test('steps group into one ip process per namespace and one sysctl process', (t) => {
  const groups = groupSteps(planScenario(seed, facts).filter((s) => s.kind !== 'lb-load'));
  t.deepEqual(groups.map((g) => `${g.kind}:${g.netns ?? 'default'}:${g.steps.length}`), ['ip:default:5', 'ip:zone1:3', 'single:default:1', 'sysctl:default:2']);
  // the fault-injection pause splits a group exactly after its step
  t.deepEqual(groupSteps(planScenario(seed, facts).filter((s) => s.kind !== 'lb-load'), 2).map((g) => g.steps.length), [2, 3, 3, 1, 2]);
});
