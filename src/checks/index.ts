import type { CheckSpec } from '../scenario/types.js';
import { runConnectCheck } from './connect.js';
import type { CheckOutcome } from './outcome.js';
import { runPingCheck } from './ping.js';
import { runIperf3Check, runIperfCheck } from './throughput.js';

export interface CheckOptions {
  onProgress?: (line: string) => void;
}

/** Never throws for a failing check: a failure is an outcome. */
export async function runCheck(spec: CheckSpec, opts: CheckOptions = {}): Promise<CheckOutcome> {
  switch (spec.kind) {
    case 'telnet':
    case 'nc':
      return runConnectCheck(spec);
    case 'ping':
      return runPingCheck(spec);
    case 'iperf3':
      return runIperf3Check(spec, opts.onProgress);
    case 'iperf':
      return runIperfCheck(spec);
  }
}
