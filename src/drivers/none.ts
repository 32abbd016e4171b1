import type { Driver } from './driver.js';

/** No load balancer: checks that go straight to a server. */
export const noneDriver: Driver = {
  name: 'none',
  missing: async () => [],
  version: async () => 'n/a',
  // a scenario's events are not a reason to skip the negative control: with nothing to apply them to
  // they fail (not applied), and its checks fail as they must
  cannotApply: () => undefined,
  load: async () => ({ driver: 'none', version: 'n/a', unload: async () => {} }),
};
