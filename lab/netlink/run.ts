import type { CommandResult } from '../run-command.js';
import { noteNetlinkRequests, verboseLine } from '../run-command.js';
import { asIpLine } from '../batch.js';
import { stepCommands } from '../step-commands.js';
import { deviceOf, getLink, indexOfLinkReply, requestFor, type NetlinkStep } from './messages.js';
import { openNetlink, strerror, type NetlinkReply, type NetlinkSocket } from './socket.js';

export interface NetlinkOutcome {
  /** How many steps, from the first, took effect. */
  done: number;
  /**
   * The step that failed (index into the steps) and what the kernel said, as `ip` would print it.
   * `unknown`: the socket failed after the request went out, so the step may have taken effect.
   */
  failure?: { at: number; result: CommandResult; unknown?: boolean };
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
          if (r.errno || !r.payload[0])
            return {
              done: i,
              failure: {
                at: i,
                result: failed(argv, r.errno === ENODEV || !r.errno ? `Cannot find device "${dev}"` : said(r)),
              },
            };
          indexes.set(dev, indexOfLinkReply(r.payload[0]));
        }
        index = indexes.get(dev)!;
      }
      const r = sock.request(requestFor(s, index, seq++));
      noteNetlinkRequests(1);
      if (r.errno) return { done: i, failure: { at: i, result: failed(argv, said(r)) } };
    }
    return { done: steps.length };
  } catch (err) {
    // the socket itself failed (send, recv, a time-out): the step it was on is the one that failed
    return { done: i, failure: { at: i, result: failed(ipArgv(steps[i]!), (err as Error).message), unknown: true } };
  } finally {
    sock.close();
  }
}

const ENODEV = 19;

/** The kernel's refusal as iproute2 prints it: its extended-ACK text, else the errno's. */
function said(r: NetlinkReply): string {
  if (!r.message) return `RTNETLINK answers: ${strerror(r.errno)}`;
  return `Error: ${r.message}${r.message.endsWith('.') ? '' : '.'}`;
}

/** Reported as the `ip -n NS …` command the request stands for (its argv names the namespace). */
function failed(argv: string[], stderr: string): CommandResult {
  return { argv, exitCode: 2, stdout: '', stderr, durationMs: 0, timedOut: false, failed: true };
}
