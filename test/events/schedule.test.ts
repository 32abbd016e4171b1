import test from 'ava';
import {
  configAfter,
  eventApplier,
  eventGaps,
  eventsOf,
  heldBack,
  initialConfig,
  scheduleEvents,
} from '../../src/events/schedule.js';
import type { EventSpec } from '../../src/scenario/types.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';

const config = parseZonlbConfig(
  `
[netif.veth0.1]
ip = "10.0.0.1"
proto = 6
port = 80
[backend.1_0]
ip = "10.1.1.2"
proto = 6
[backend.1_1]
ip = "10.1.2.2"
proto = 6
[backend.1_2]
ip = "10.1.3.2"
proto = 6
`,
  'test.zonlb.toml',
);
const keys = (c: typeof config) => c.services.flatMap((s) => s.backends.map((b) => b.key));

test('eventsOf: one check’s events in time order, ties in file order', (t) => {
  const events: EventSpec[] = [
    { during: 'hold', at: 5, action: 'reload' },
    { during: 'other', at: 1, action: 'flush-conntrack' },
    { during: 'hold', at: 3, action: 'remove-backend', backend: '1_1' },
    { during: 'hold', at: 5, action: 'flush-conntrack' },
  ];
  t.deepEqual(
    eventsOf({ events }, 'hold').map((e) => `${e.at} ${e.action}`),
    ['3 remove-backend', '5 reload', '5 flush-conntrack'],
  );
});

test('a backend added by an event is held back at load, and comes back in its place', (t) => {
  const events: EventSpec[] = [{ during: 'hold', at: 2, action: 'add-backend', backend: '1_1' }];
  t.deepEqual([...heldBack(events)], ['1_1']);
  const first = initialConfig(config, events);
  t.deepEqual(keys(first), ['1_0', '1_2']);
  t.deepEqual(keys(configAfter(first, config, events[0]!)), ['1_0', '1_1', '1_2']);
  t.deepEqual(keys(configAfter(config, config, { during: 'hold', at: 1, action: 'remove-backend', backend: '1_0' })), [
    '1_1',
    '1_2',
  ]);
  t.is(configAfter(first, config, { during: 'hold', at: 1, action: 'reload' }), first);
  t.is(initialConfig(config, []), config);
});

test('the applier carries the backends in force from one event to the next, and keeps them when the driver fails', async (t) => {
  const seen: string[][] = [];
  let fail = false;
  const apply = eventApplier(config, [], async (action, c) => {
    if (fail) throw new Error('refused');
    seen.push([action, ...keys(c)]);
    return 'ok';
  });
  await apply({ during: 'h', at: 1, action: 'remove-backend', backend: '1_1' });
  fail = true;
  await t.throwsAsync(apply({ during: 'h', at: 2, action: 'remove-backend', backend: '1_0' }), { message: 'refused' });
  fail = false;
  await apply({ during: 'h', at: 3, action: 'reload' });
  t.deepEqual(seen, [
    ['remove-backend', '1_0', '1_2'],
    ['reload', '1_0', '1_2'],
  ]);
  await t.throwsAsync(eventApplier(config, [], undefined)({ during: 'h', at: 0, action: 'reload' }), {
    message: /applies no events/,
  });
});

test('the clock fires events in order, one at a time, and records each result; unfired ones say so', async (t) => {
  const order: string[] = [];
  const events: EventSpec[] = [
    { during: 'h', at: 0, action: 'remove-backend', backend: '1_1' },
    { during: 'h', at: 0.001, action: 'reload' },
    { during: 'h', at: 0.002, action: 'flush-conntrack' },
    { during: 'h', at: 3600, action: 'replace-program' },
  ];
  const clock = scheduleEvents(events, async (e) => {
    order.push(`start ${e.action}`);
    await new Promise((r) => setTimeout(r, 20));
    order.push(`end ${e.action}`);
    if (e.action === 'flush-conntrack') throw new Error('no conntrack here');
    return `did ${e.action}`;
  });
  clock.start();
  await new Promise((r) => setTimeout(r, 150));
  const records = await clock.finish();
  t.deepEqual(order, [
    'start remove-backend',
    'end remove-backend',
    'start reload',
    'end reload',
    'start flush-conntrack',
    'end flush-conntrack',
  ]);
  t.deepEqual(
    records.map((r) => [r.action, r.applied, r.result]),
    [
      ['remove-backend', true, 'did remove-backend'],
      ['reload', true, 'did reload'],
      ['flush-conntrack', false, 'failed: no conntrack here'],
      ['replace-program', false, 'not applied: the check ended first'],
    ],
  );
  t.is(records[0]!.backend, '1_1');
  t.true(records.slice(0, 3).every((r) => typeof r.appliedAtMs === 'number'));
  t.is(records[3]!.appliedAtMs, undefined);
});

test('eventGaps: a skip reason per event the driver cannot apply, naming it', (t) => {
  const s = {
    events: [
      { during: 'hold', at: 3, action: 'remove-backend', backend: '1_1' },
      { during: 'hold', at: 5, action: 'replace-program' },
    ] as EventSpec[],
  };
  t.deepEqual(eventGaps(s, { name: 'none' }), [
    'event remove-backend 1_1 (during hold at 3 s): the none driver applies no events',
    'event replace-program (during hold at 5 s): the none driver applies no events',
  ]);
  t.deepEqual(eventGaps(s, { name: 'nft', cannotApply: (a) => (a === 'replace-program' ? 'no program' : undefined) }), [
    'event replace-program (during hold at 5 s): no program',
  ]);
});
