import test from 'ava';
import { LabError } from '../lab/errors.js';
import { asUserError, ExitCode, UserError } from '../src/errors.js';

test("a lab's refusal or failure is the user's error with the exit code of its outcome; another error is none", (t) => {
  const code = (e: unknown) => asUserError(e)?.exitCode;
  t.is(code(new LabError('in use', 'refused', ['wait'])), ExitCode.badInput);
  t.is(code(new LabError('step failed', 'failed')), ExitCode.checkFailed);
  t.is(code(new LabError('could not reclaim', 'teardown-failed')), ExitCode.teardownFailed);
  t.is(code(new LabError('interrupted', { signal: 'SIGTERM' })), 143);
  t.deepEqual(asUserError(new LabError('in use', 'refused', ['wait']))?.details, ['wait']);
  const own = new UserError('bad', ExitCode.badInput);
  t.is(asUserError(own), own);
  t.is(asUserError(new Error('a bug')), undefined);
});
