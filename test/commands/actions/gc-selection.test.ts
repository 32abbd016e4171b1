import test from 'ava';
import { markedByDeadRun, runOfMarker, tableOfDeadRun } from '../../../src/commands/actions/gc-selection.js';

const live = new Set(['1a2b3c4d']);

test('gc takes an interface or namespace by the marker of a run that is not live', (t) => {
  t.true(markedByDeadRun('zonlab:9f8e7d6c:veth-netns', live));
  t.false(markedByDeadRun('zonlab:1a2b3c4d:veth-netns', live), 'a live run keeps what it marked');
});

test('gc leaves alone what zonlab did not mark', (t) => {
  for (const alias of [
    undefined,
    42,
    '',
    'uplink to the rack',
    'zonlab',
    'zonlab-9f8e7d6c:x',
    'Zonlab:9f8e7d6c:x',
    ' zonlab:9f8e7d6c:x',
  ]) {
    t.false(markedByDeadRun(alias, live), String(alias));
  }
});

test("gc takes zonlab's own nft tables of runs that are not live, and no other table", (t) => {
  t.true(tableOfDeadRun('zonlab_9f8e7d6c', live));
  t.false(tableOfDeadRun('zonlab_1a2b3c4d', live), 'a live run keeps its table');
  for (const name of ['zonlab', 'zonlab_', 'zonlab_ABCD', 'zonlab_ab.cd', 'my_zonlab_ab', 'filter', 'nat'])
    t.false(tableOfDeadRun(name, live), name);
});

test("gc --id reads the run a marker names, so that it takes only those runs' objects", (t) => {
  t.is(runOfMarker('zonlab:9f8e7d6c:veth-netns'), '9f8e7d6c');
  for (const alias of [undefined, 42, 'zonlab', 'uplink to the rack'])
    t.is(runOfMarker(alias), undefined, String(alias));
});
