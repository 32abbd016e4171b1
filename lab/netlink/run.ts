import type { CommandResult } from '../run-command.js';
import { noteNetlinkRequests, verboseLine } from '../run-command.js';
import { asIpLine } from '../batch.js';
import { stepCommands } from '../step-commands.js';
import { deviceOf, getLink, indexOfLinkReply, requestFor, type NetlinkStep } from './messages.js';
import { openNetlink, strerror, type NetlinkSocket } from './socket.js';

export interface NetlinkOutcome {
  /** How many steps, from the first, took effect. */
  done: number;
  /** The step that failed (index into the steps) and what the kernel said, as `ip` would print it. */
  failure?: { at: number; result: CommandResult };
}

/**
 * One namespace's link, address and route steps over one netlink socket, in order, stopping at the
 * first failure (as `ip -batch` does). Synchronous: nothing else runs while it works.
 */
export function runNetlinkSteps(netns: string, steps: NetlinkStep[]): NetlinkOutcome {
  let sock: NetlinkSocket;
  const ipArgv = (s: NetlinkStep) => stepCommands(s).run[0]!.argv;
  try {
    sock = openNetlink(netns);
  } catch (err) {
    return { done: 0, failure: { at: 0, result: failed(ipArgv(steps[0]!), (err as Error).message) } };
  }
  let i = 0;
  try {
    const indexes = new Map<string, number>();
    let seq = 1;
    for (; i < steps.length; i++) {
      const s = steps[i]!;
      const argv = ipArgv(s);
      verboseLine(`~ [${netns}] ${asIpLine({ argv })?.line ?? argv.join(' ')} (netlink)`);
      const dev = deviceOf(s);
      let index = 0;
      if (dev !== undefined) {
        if (!indexes.has(dev)) {
          const r = sock.request(getLink(dev, seq++));
          noteNetlinkRequests(1);
          if (r.errno || !r.payload[0]) return { done: i, failure: { at: i, result: failed(argv, `Cannot find device "${dev}"`) } };
          indexes.set(dev, indexOfLinkReply(r.payload[0]));
        }
        index = indexes.get(dev)!;
      }
      const r = sock.request(requestFor(s, index, seq++));
      noteNetlinkRequests(1);
      if (r.errno) return { done: i, failure: { at: i, result: failed(argv, r.message ? `Error: ${r.message}.` : `RTNETLINK answers: ${strerror(r.errno)}`) } };
    }
    return { done: steps.length };
  } catch (err) {
    // the socket itself failed (send, recv, a time-out): the step it was on is the one that failed
    return { done: i, failure: { at: i, result: failed(ipArgv(steps[i]!), (err as Error).message) } };
  } finally {
    sock.close();
  }
}

/** Reported as the `ip -n NS …` command the request stands for (its argv names the namespace). */
function failed(argv: string[], stderr: string): CommandResult {
  return { argv, exitCode: 2, stdout: '', stderr, durationMs: 0, timedOut: false, failed: true };
}
