import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineFromRecord } from '../../../src/baseline/store.js';
import { renderReport } from '../../../src/output/html/report.js';
import { topologySvg } from '../../../src/output/html/topology-svg.js';
import { ticks } from '../../../src/output/html/svg.js';
import { gated } from '../../helpers/gated.js';
import type { RunRecord } from '../../../src/results/record.js';
import { loadScenario } from '../../../src/scenario/load.js';
import { summarize } from '../../../src/stats/summary.js';

const recordFile = fileURLToPath(new URL('../../../../test/fixtures/records/', import.meta.url));
const real = JSON.parse(
  readFileSync(path.join(recordFile, '2026-11-24T02-30-16-878Z-9cd31f07.json'), 'utf8'),
) as RunRecord;
const seed = loadScenario('veth-netns');

function input() {
  const later = { ...real, id: 'later', time: '2026-11-25T00:00:00.000Z' };
  const failed = {
    ...real,
    id: 'failed',
    time: '2026-11-26T00:00:00.000Z',
    status: 'failed' as const,
    stats: {},
    samples: {},
    measurements: {},
  };
  const hostile = { ...seed, name: 'hostile', description: '<script>alert(1)</script> & "quotes"' };
  return {
    records: [real, later, failed],
    corrupt: [{ file: '/r/broken.json', why: 'Unexpected end of JSON input' }],
    baselines: [baselineFromRecord(real)],
    scenarios: [seed, hostile],
    generatedAt: '2026-11-24T00:00:00Z',
  };
}

test('the page has a chart per driver with the baseline band, interval charts, a table and the topology', (t) => {
  const html = renderReport(input());
  t.regex(html, /^<!doctype html>/);
  t.true((html.match(/<svg /g) ?? []).length >= 4, 'throughput, intervals, two topologies');
  t.regex(html, /class="baseline-band"/);
  t.regex(html, /latest run, iperf3: iperf3 intervals/);
  t.regex(html, /class="failed-run"/);
  t.regex(html, /Skipped 1 record file/);
  t.notRegex(html, /<script/i, 'no script, and the hostile description is escaped');
  t.regex(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  t.notRegex(html, /(src|href)="(https?:)?\/\//, 'nothing fetched from a network');
  t.notRegex(html, /@import|url\(/, 'no external style either');
});

test("the load balancer's cost per packet gets its own chart, with its baseline band, and a figure in the table", (t) => {
  const withCost = (r: RunRecord, id: string, time: string, ns: number[]): RunRecord => ({
    ...r,
    id,
    time,
    driver: { name: 'embedded', version: 'x' },
    stats: { ...r.stats, iperf3: { ...r.stats.iperf3, lb_ns_per_packet: summarize(ns) } },
    measurements: { ...r.measurements, iperf3: { ...r.measurements.iperf3, lb_ns_per_packet: summarize(ns).median } },
  });
  const a = withCost(real, 'a', '2026-11-25T00:00:00.000Z', [160, 170, 165]);
  const b = withCost(real, 'b', '2026-11-26T00:00:00.000Z', [240, 250, 245]);
  const html = renderReport({ ...input(), records: [real, a, b], baselines: [baselineFromRecord(a)] });
  const chart =
    /<svg [^>]*aria-label="veth-netns · embedded: the load balancer&#39;s XDP cost per packet[^"]*"[\s\S]*?<\/svg>/.exec(
      html,
    )?.[0];
  t.truthy(chart);
  t.regex(chart!, /class="baseline-band"/);
  t.regex(chart!, /ns\/packet/);
  t.is((chart!.match(/<circle /g) ?? []).length, 2, 'one point per run that measured it');
  t.regex(html, /iperf3 [\d.]+ Gbit\/s · LB 245 ns\/packet/);
});

test('the topology drawing names the namespaces, links, addresses and the load balancer', (t) => {
  const svg = topologySvg(seed, 'nft');
  for (const s of [
    'zone1',
    'veth0 ↔ veth1',
    '10.0.0.1/24',
    '10.0.0.2/24',
    'lo 127.0.0.23/24',
    'lb nft',
    'server backend 127.0.0.23:223',
  ])
    t.true(svg.includes(s), s);
});

test('axis ticks are round and cover the data', (t) => {
  t.deepEqual(ticks(21.3), [0, 5, 10, 15, 20, 25]);
  t.deepEqual(ticks(0), [0, 1]);
});

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const browser = gated(chromium ? undefined : 'no chromium: apt-get install chromium (npm run setup installs it)');
browser.concurrent(
  browser.title('a real headless browser renders the page without errors, and the screenshot shows the charts'),
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-report-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const page = path.join(dir, 'index.html');
    writeFileSync(page, renderReport(input()));
    const blank = path.join(dir, 'blank.html');
    writeFileSync(blank, '<!doctype html><html><body></body></html>');
    const shoot = (file: string, png: string) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          chromium!,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            `--user-data-dir=${path.join(dir, 'profile')}`,
            '--enable-logging=stderr',
            '--v=0',
            `--screenshot=${png}`,
            '--window-size=1200,1800',
            `file://${file}`,
          ],
          { timeout: 60_000 },
          (err, _out, stderr) => (err ? reject(err) : resolve(stderr)),
        );
      });
    const log = await shoot(page, path.join(dir, 'page.png'));
    await shoot(blank, path.join(dir, 'blank.png'));
    t.notRegex(log, /CONSOLE\(\d+\).*(Error|Uncaught)|Failed to load resource/);
    const png = readFileSync(path.join(dir, 'page.png'));
    if (process.env.ZONLAB_KEEP_SCREENSHOT) writeFileSync(process.env.ZONLAB_KEEP_SCREENSHOT, png);
    t.log(`screenshot ${png.length} bytes, a blank page's ${statSync(path.join(dir, 'blank.png')).size} bytes`);
    t.is(png.subarray(1, 4).toString(), 'PNG');
    // a page with charts has far more detail than a blank one, and more than one colour
    t.true(statSync(path.join(dir, 'page.png')).size > 4 * statSync(path.join(dir, 'blank.png')).size);
    // and the browser's own DOM of the page holds the charts and the drawings
    const dom = await new Promise<string>((resolve, reject) => {
      execFile(
        chromium!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${path.join(dir, 'profile')}`,
          '--dump-dom',
          `file://${page}`,
        ],
        { timeout: 60_000, maxBuffer: 1 << 24 },
        (err, out) => (err ? reject(err) : resolve(out)),
      );
    });
    t.true((dom.match(/<svg /g) ?? []).length >= 4);
    t.regex(dom, /class="baseline-band"/);
    // every topology drawing fits its column at a narrow window: the backend's box is not cut off
    const probe = path.join(dir, 'probe.html');
    writeFileSync(
      probe,
      `${renderReport(input())}<script>document.body.dataset.fits = [...document.querySelectorAll('svg.topology')].map((s) => s.getBoundingClientRect().right <= s.parentElement.getBoundingClientRect().right + 0.5 && s.parentElement.scrollWidth <= s.parentElement.clientWidth).join(',');</script>`,
    );
    const fitted = await new Promise<string>((resolve, reject) => {
      execFile(
        chromium!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${path.join(dir, 'profile')}`,
          '--window-size=900,1800',
          '--dump-dom',
          `file://${probe}`,
        ],
        { timeout: 60_000, maxBuffer: 1 << 24 },
        (err, out) => (err ? reject(err) : resolve(out)),
      );
    });
    t.regex(fitted, /data-fits="true(,true)+"/);
    rmSync(dir, { recursive: true, force: true });
  },
);

test('a chart title wider than the chart goes on more lines, none cut off (issue 24)', async (t) => {
  const { lineChart } = await import('../../../src/output/html/svg.js');
  const title =
    "veth-netns · embedded: the load balancer's XDP cost per packet (median ns, 95% interval; lower is better)";
  const svg = lineChart({
    title,
    series: [{ name: 's', color: '#000', points: [{ x: 0, y: 1 }] }],
    xLabels: ['a'],
    yUnit: 'u',
    yScale: 1,
  });
  const lines = [...svg.matchAll(/class="chart-title">([^<]*)</g)].map((m) => m[1]!.replace(/&#39;/g, "'"));
  t.true(lines.length >= 2, lines.join(' | '));
  t.is(lines.join(' '), title);
  for (const l of lines) t.true(l.length * 7.4 <= 720 - 64, l);
});

test('x labels: the last is inside the chart, none overlaps another (issue 24: the last label was clipped)', async (t) => {
  const { xLabelsShown } = await import('../../../src/output/html/svg.js');
  const labels = ['11-24 02:30', '11-24 03:00', '11-24 03:10', '11-27 10:00', '11-28 10:00'];
  const at = [64, 64.5, 65, 600, 704];
  const shown = xLabelsShown(labels, (i) => at[i]!, 720);
  t.deepEqual(
    shown.map((l) => l.text),
    ['11-24 02:30', '11-27 10:00', '11-28 10:00'],
  );
  const half = (s: string) => (s.length * 6.2) / 2;
  for (const l of shown) t.true(l.x + half(l.text) <= 720 && l.x - half(l.text) >= 0, JSON.stringify(l));
  for (let i = 1; i < shown.length; i++)
    t.true(shown[i]!.x - half(shown[i]!.text) > shown[i - 1]!.x + half(shown[i - 1]!.text));
});

test('runs are spaced by when they ran, not evenly (issue 24)', (t) => {
  const at = (id: string, time: string) => ({ ...real, id, time });
  const html = renderReport({
    ...input(),
    records: [
      at('a', '2026-11-24T00:00:00.000Z'),
      at('b', '2026-11-24T01:00:00.000Z'),
      at('c', '2026-11-24T04:00:00.000Z'),
    ],
    baselines: [],
  });
  const chart = /<svg [^>]*aria-label="veth-netns · nft: throughput per run[^"]*"[\s\S]*?<\/svg>/.exec(html)![0];
  const xs = [...new Set([...chart.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1])))];
  t.is(xs.length, 3);
  t.is(Math.round((xs[2]! - xs[1]!) / (xs[1]! - xs[0]!)), 3, `1 h then 3 h apart: ${xs.join(', ')}`);
});

test("the topology's badge names the driver that ran, not the scenario's auto (issue 24)", (t) => {
  t.is(seed.lb.driver, 'auto');
  const embedded = { ...real, driver: { name: 'embedded', version: 'x' }, time: '2026-11-30T00:00:00.000Z' };
  const html = renderReport({ ...input(), records: [real, embedded] });
  const topo = /<section id="veth-netns">[\s\S]*?<\/section>/.exec(html)![0];
  t.regex(topo, />lb embedded</);
  t.notRegex(topo, />lb auto</);
  // a scenario without a run shows what it asks for
  t.regex(/<section id="hostile">[\s\S]*?<\/section>/.exec(html)![0], />lb auto</);
});
