import test from 'ava';
import { UserError } from '../../src/errors.js';
import { setPairs, setsDeclared, setValues } from '../../src/commands/options.js';

test('--set NAME=VALUE: one parser for the form, the values and the scenarios that declare the name', (t) => {
  t.deepEqual(setPairs('mtu=1310'), ['mtu=1310']);
  t.deepEqual(setValues(['mtu=1310', 'label=a=b', 'mtu=1400', 'empty=']), { mtu: '1400', label: 'a=b', empty: '' });
  t.deepEqual(setsDeclared(['mtu=1310', 'duration=2', 'mt=1'], { mtu: 1500 }), ['mtu=1310']);
  for (const bad of ['mtu', '=1', 'a b=1'])
    t.throws(() => setValues([bad]), { instanceOf: UserError, message: /--set/ }, bad);
});
