import type { Driver } from './driver.js';

/** No load balancer: checks that go straight to a server. */
export const noneDriver: Driver = {
  name: 'none',
  missing: async () => [],
  version: async () => 'n/a',
  load: async () => ({ driver: 'none', version: 'n/a', unload: async () => {} }),
};
