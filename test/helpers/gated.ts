import test from 'ava';
import { rootSkipReason } from './audit.js';

/**
 * Serial tests that run unless `skip` gives a reason: then each is declared test.skip with the
 * reason in its title (ava cannot skip from inside a test, and a skip never passes silently).
 */
export function gated(skip: string | undefined) {
  return {
    skip,
    integration: skip ? test.skip : test.serial,
    title: (t: string) => (skip ? `${t} [skipped: ${skip}]` : t),
  };
}

/** Serial tests that need root (and unshare): the integration tests' gate. */
export const rootGated = () => gated(rootSkipReason());
