import type { CheckSpec } from '../scenario/types.js';
import { runConnectCheck } from './connect.js';
import type { CheckOutcome } from './outcome.js';
import { runHoldCheck } from './hold.js';
import { runLatencyCheck } from './latency.js';
import { runPingCheck } from './ping.js';
import { runSpreadCheck } from './spread.js';
import { runIperf3Check, runIperfCheck } from './throughput.js';

export interface CheckOptions {
  onProgress?: (line: string) => void;
  /** The outcomes so far in this run: a spread compares its flows with an earlier spread's. */
  earlier?: CheckOutcome[];
  /** A hold calls it once its connections are being opened: the clock of the check's events. */
  onStarted?: () => void;
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
    case 'spread':
      return runSpreadCheck(spec, opts.earlier);
    case 'hold':
      return runHoldCheck(spec, opts.onStarted);
    case 'rr':
    case 'crr':
      return runLatencyCheck(spec);
  }
}
