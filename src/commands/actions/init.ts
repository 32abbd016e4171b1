import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import { MAX_BYTES, readTextCapped } from '../../files.js';
import { examplesDir } from '../../paths.js';

/** The shipped example that zon-lb's README walks through (examples/netns_veth_to_local), commented line by line. */
const EXAMPLE = 'veth-netns';

/**
 * `zonlab init [DIR]`: a scenario a zon-lb developer can run at once in their own checkout, and
 * edit: the README example under their name, with its zonlb.toml beside it.
 */
export function initCommand(a: { dir: string; name: string; json?: boolean }): number {
  const folder = path.join(a.dir, 'scenarios');
  const files = {
    [path.join(folder, `${a.name}.toml`)]: starterScenario(a.name),
    [path.join(folder, `${a.name}.zonlb.toml`)]: readTextCapped(
      path.join(examplesDir, `${EXAMPLE}.zonlb.toml`),
      MAX_BYTES.config,
    ),
  };
  const there = Object.keys(files).filter((f) => existsSync(f));
  if (there.length)
    throw new UserError(`${there.join(', ')} exists already; zonlab init writes only new files`, ExitCode.badInput, [
      'give another --name, or another DIR',
    ]);
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(file, text, { flag: 'wx' });
  const inDir = path.resolve(a.dir) === process.cwd() ? '' : `cd ${a.dir} && `;
  process.stdout.write(
    a.json
      ? `${JSON.stringify({ files: Object.keys(files) })}\n`
      : `${Object.keys(files)
          .map((f) => `wrote ${f}`)
          .join(
            '\n',
          )}\nnext: ${inDir}zonlab validate ${a.name} && sudo zonlab run ${a.name}   (your zon-lb build: --zonlb PATH)\n`,
  );
  return 0;
}

/** The example under the new name, its zonlb.toml renamed with it, and how to use it on top. */
export function starterScenario(name: string): string {
  const example = readTextCapped(path.join(examplesDir, `${EXAMPLE}.toml`), MAX_BYTES.config);
  const header = [
    `# A starter scenario written by \`zonlab init\`, from zonlab's example ${EXAMPLE}. zonlab builds all of`,
    '# it, runs the checks through the load balancer, records the result in ./results and removes it:',
    `#   zonlab validate ${name}         check this file and ${name}.zonlb.toml (no root needed)`,
    `#   zonlab plan ${name}             the exact commands, without running anything`,
    `#   sudo zonlab run ${name}         (--zonlb PATH: your zon-lb build; --set duration=2: shorter throughput checks)`,
    `#   sudo zonlab up ${name} --host   the lab on the machine itself, to follow the README by hand`,
    `#   zonlab run ${name} --repeat 5, zonlab baseline save ${name}, then --baseline: throughput verdicts`,
    '',
  ].join('\n');
  return (
    header +
    example
      .replace(new RegExp(`^name = "${EXAMPLE}"$`, 'm'), `name = "${name}"`)
      .replace(new RegExp(`^config = "${EXAMPLE}\\.zonlb\\.toml"$`, 'm'), `config = "${name}.zonlb.toml"`)
  );
}
