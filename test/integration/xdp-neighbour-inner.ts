// Run by zonlb-ifindex.test.ts under `unshare --net --mount`: another zon-lb user's programs on this
// machine, as the zon-lb test double attaches them (XDP bpf_links, which zon-lb walks), on
// interfaces made with the indexes given; prints "ready" and the programs' ids (by which the test
// tells these links from those of other labs on the machine), and holds them until stdin closes.
import { runCommand } from '../../lab/run-command.js';

const [double, ...indexes] = process.argv.slice(2);
await runCommand(['mount', '-t', 'bpf', 'bpf', '/sys/fs/bpf']);
for (const n of indexes) {
  // the kernel makes the peer first: it gets an index of its own too, or it would take the next free one
  await runCommand([
    'ip',
    'link',
    'add',
    `zx${n}`,
    'index',
    n,
    'type',
    'veth',
    'peer',
    'name',
    `zy${n}`,
    'index',
    String(Number(n) + 1000),
  ]);
  const r = await runCommand([double!, 'prog', `zx${n}`, 'load'], { reject: false });
  if (r.failed || /ERROR/.test(r.stderr)) throw new Error(`the double's prog zx${n} load: ${r.stderr}`);
}
const programs: number[] = [];
for (const n of indexes) {
  const [link] = JSON.parse((await runCommand(['ip', '-j', 'link', 'show', 'dev', `zx${n}`])).stdout) as {
    xdp?: { prog?: { id?: number } };
  }[];
  programs.push(link?.xdp?.prog?.id ?? 0);
}
process.stdout.write(`ready ${JSON.stringify(programs)}\n`);
process.stdin.resume();
await new Promise((resolve) => process.stdin.on('end', resolve));
