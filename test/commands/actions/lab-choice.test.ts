import test from 'ava';
import { chooseLab, runsLeftAlone, type LabChoice } from '../../../src/commands/actions/lab-choice.js';
import { UserError } from '../../../src/errors.js';

/** Issue 22: down and exec choose among the labs of one name; a run in progress is chosen only by its id. */
const owner = (pid: number) => ({ user: 'root', uid: 0, pid, cwd: '/home/ann', command: 'zonlab run veth-netns' });
const lab = (id: string, command: 'run' | 'up'): LabChoice => ({
  id,
  mode: 'sandbox',
  command,
  inProgress: command === 'run',
  entry: {
    scenario: 'veth-netns',
    runId: id,
    mode: 'sandbox',
    command,
    started: '2026-01-01T00:00:00Z',
    driver: 'nft',
    namespaces: ['zone1'],
    owner: owner(40 + id.length),
  },
});

test('the one lab up holds is chosen; a run in progress beside it is not', (t) => {
  t.is(chooseLab('veth-netns', [lab('run1', 'run'), lab('up1', 'up')], undefined, 'down')?.id, 'up1');
});

test('only runs in progress: nothing is chosen, and each is named with how to stop it', (t) => {
  const choices = [lab('run1', 'run')];
  t.is(chooseLab('veth-netns', choices, undefined, 'down'), undefined);
  t.deepEqual(
    runsLeftAlone('veth-netns', choices, 'down').map(
      (l) => /--id run1 --force/.test(l) && /user root, pid 44, in \/home\/ann/.test(l),
    ),
    [true],
  );
});

test('several labs up: refused with the list and the --id to give', (t) => {
  const err = t.throws(() => chooseLab('veth-netns', [lab('a1', 'up'), lab('b22', 'up')], undefined, 'exec'), {
    instanceOf: UserError,
  }) as UserError;
  t.is(err.exitCode, 2);
  t.regex(err.message, /2 labs of that name are up; say which with --id/);
  t.regex(err.details.join('\n'), /a1 .*\n.*b22 .*\n.*zonlab exec veth-netns NETNS --id a1 -- COMMAND/);
});

test('--id names any lab, a run too (down then asks for --force); an unknown id is refused with the list', (t) => {
  const choices = [lab('run1', 'run'), lab('up1', 'up'), lab('up2', 'up')];
  t.is(chooseLab('veth-netns', choices, 'run1', 'down')?.inProgress, true);
  const err = t.throws(() => chooseLab('veth-netns', choices, 'nope', 'down'), { instanceOf: UserError }) as UserError;
  t.regex(err.message, /no lab with id nope/);
  t.is(err.details.length, 4);
});
