import type { Argv } from 'yargs';
import type { ZonCommand } from './command.js';

/** Runs a command's handler (tests put a stub in its place) and keeps its exit code. */
export type RunHandler = (command: string, args: object, handler: () => Promise<number>) => Promise<void>;

/** A command as the CLI registers it: its words and help line here, its module loaded only when it is the one given. */
export type Registration = (cli: Argv, run: RunHandler) => void;

function lazy<A>(command: string, describe: string | false, load: () => Promise<ZonCommand<A>>): Registration {
  return (cli, run) => {
    cli.command<A>({
      command,
      describe,
      // yargs runs the builder only for the command given: the other modules are never loaded
      builder: async (y) => (await load()).builder(y),
      handler: (a) => run(command.split(' ')[0]!, a, async () => (await load()).handler(a)),
    });
  };
}

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly Registration[] = [
  lazy(
    'run [scenario]',
    'build the lab, load the load balancer, run the checks, record the result, tear down (--all: every scenario)',
    () => import('./run.js'),
  ),
  lazy(
    'ab [scenario]',
    'A/B in one job: two load balancers (--a, --b) in their own labs, rounds interleaved A B B A …, a verdict on the paired ratios B/A; exit 3 when B regressed (--all: every scenario)',
    () => import('./ab.js'),
  ),
  // the inside of ab (one side, in its sandbox, driven through stdin): not for users, not in --help
  lazy('ab-side <scenario>', false, () => import('./ab-side.js')),
  // the inside of a sandboxed run or up (its options and plan on stdin, lab/sandbox.ts): not in --help
  lazy('inside <command> <scenario>', false, () => import('./inside.js')),
  lazy('up <scenario>', 'build the lab and load the load balancer; start nothing else', () => import('./up.js')),
  lazy('down <scenario>', 'remove a lab that is up', () => import('./down.js')),
  lazy('status [scenario]', 'show the labs that are up', () => import('./status.js')),
  lazy(
    'exec <scenario> <netns> [cmd..]',
    "run a command in one of a lab's namespaces (default: the lab's default namespace)",
    () => import('./exec.js'),
  ),
  lazy(
    'mutants <scenario>',
    'run the scenario against each mutant of the embedded load balancer (a build broken on purpose): which checks kill it; exit 1 when one survives',
    () => import('./mutants.js'),
  ),
  lazy(
    'plan <scenario>',
    'print the ordered steps without running anything (no root needed)',
    () => import('./plan.js'),
  ),
  lazy('validate <scenario>', 'check a scenario and its zonlb.toml (no root needed)', () => import('./validate.js')),
  lazy('list', 'the scenarios with one-line descriptions', () => import('./list.js')),
  lazy(
    'init [dir]',
    'write a starter scenario and its zonlb.toml (the zon-lb README example, commented) into DIR/scenarios/ (default: the working directory)',
    () => import('./init.js'),
  ),
  lazy(
    'results [scenario] [dirs..]',
    'the recorded runs as a table; `results merge DIR… --into DIR` joins result folders (one per CI shard) with one verdict',
    () => import('./results.js'),
  ),
  lazy(
    'baseline save [scenario]',
    'store a run (the latest of the scenario, or --from RUN) as its baseline in results/baselines/; --all: the latest passing run of every scenario',
    () => import('./baseline.js'),
  ),
  lazy(
    'compare [run]',
    'compare a run (default: the latest) with the baseline or with another run; exit 3 on a regression',
    () => import('./compare.js'),
  ),
  lazy(
    'graph <scenario>',
    "the topology drawn in the terminal (namespaces, veth pairs, addresses, where XDP and the load balancer sit); --svg FILE for the report's drawing",
    () => import('./graph.js'),
  ),
  lazy(
    'audit <action> <file>',
    'the leak audit: `save FILE` records namespaces, links, addresses, routes, sysctls, nft, XDP, pins, mounts and processes; `check FILE` compares (exit 1 on a difference)',
    () => import('./audit.js'),
  ),
  lazy(
    'report',
    'a static HTML page: throughput over time with the baseline band, the latest intervals, each topology (no network needed to view it)',
    () => import('./report.js'),
  ),
  lazy(
    'doctor',
    'what this machine has: root and capabilities, each tool and its version, each kernel feature (probed)',
    () => import('./doctor.js'),
  ),
  lazy(
    'gc',
    'remove everything zonlab runs left behind (found by ownership marker), and nothing else',
    () => import('./gc.js'),
  ),
];
