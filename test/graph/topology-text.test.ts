import test from 'ava';
import { loadScenario } from '../../src/scenario/load.js';
import { topologyText } from '../../src/graph/topology-text.js';

const seed = loadScenario('veth-netns');

test('the terminal drawing shows namespaces, links, addresses, the load balancer and helpers', (t) => {
  const text = topologyText(seed, 'nft');
  t.regex(text, /┌─ default \(the load balancer\)/);
  t.regex(text, /veth0 +10\.0\.0\.1\/24 +◀──▶ veth1@zone1 +◆ lb nft, tx off/);
  t.regex(text, /┌─ zone1/);
  t.regex(text, /lo +127\.0\.0\.23\/24/);
  const widths = new Set(text.split('\n').map((l) => [...l].length));
  t.is(widths.size, 1, 'every line of every box is as wide');
});
