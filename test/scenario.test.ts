/**
 * Scenario files: the published schema is the one the option tables give, every scenario in
 * scenarios/ runs, lists make sweeps, YAML and JSON give the same bytes, and a bad file is one
 * line naming the place and the problem, exit 2, nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { scenarioExperiment } from '../src/scenario/experiment.ts';
import { runExperiment } from '../src/runner/run.ts';
import { resolveParams } from '../src/runner/params.ts';
import { runCli } from '../src/cli.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['--conditions=gamesim-source', '--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('schema/scenario.schema.json is the schema the option tables give (npm run schema rewrites it)', () => {
  assert.deepEqual(JSON.parse(readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8')), scenarioSchema());
});

test('every scenario in scenarios/ loads and runs (one seed)', async () => {
  const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const { scenario, axes } = loadScenario(join(ROOT, 'scenarios', f));
    const exp = scenarioExperiment(scenario, axes);
    const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 1, seed: 1, workers: 1 });
    assert.ok(res.runs.length >= 1, f);
    if (scenario.kind === 'ha') for (const r of res.runs) assert.ok(Number(r.availability) > 0.5 && Number(r.availability) <= 1, `${f}: ${r.availability}`);
    else for (const r of res.runs) assert.ok(Number(r.migratedUsers) >= 0, f);
  }
});

test('an LB scenario with a world: players in time, totals per run and the time series; a scheme that keeps players never hands them off', async () => {
  const { scenario, axes } = loadScenario(join(ROOT, 'scenarios', 'lb-raid-boss.yaml'));
  const exp = scenarioExperiment(scenario, axes);
  const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 1, seed: 1, workers: 1 });
  assert.deepEqual(res.runs.map((r) => r.scheme), ['static', 'dynamic', 'user-centric', 'kd-tree', 'progrega']);
  for (const r of res.runs) {
    assert.ok(Number(r.peakOnline) >= 2000 && Number(r.playerHours) > 1000, JSON.stringify(r));
    if (r.scheme === 'user-centric') assert.equal(Number(r.handoffs), 0);
    else assert.ok(Number(r.handoffs) > 0, `${r.scheme} hands off walking players`);
  }
  const series = res.tables.series;
  assert.ok(series.length >= 5 * 100, `${series.length} samples`);
  for (const x of series) assert.ok(Number(x.maxLoad) >= Number(x.meanLoad) && Number(x.meanLoad) >= Number(x.minLoad));
});

test('lists make sweeps: vrrp-pair sweeps three loss rates; a partition splits four nodes into two sides that each take the other\'s services', async () => {
  const v = loadScenario(join(ROOT, 'scenarios', 'vrrp-pair.yaml'));
  assert.deepEqual(v.axes.map((a) => [a.label, a.values]), [['netLoss', [0, 0.05, 0.2]], ['serialLoss', [0]]]);
  const p = loadScenario(join(ROOT, 'scenarios', 'four-node-partition-gc.yaml'));
  const exp = scenarioExperiment(p.scenario, p.axes);
  const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 1, seed: 1, workers: 1 });
  // 4 services, each run twice for most of the 120 s partition
  assert.ok(Number(res.runs[0].dualActiveTime) > 300, String(res.runs[0].dualActiveTime));
  assert.ok(Number(res.runs[0].falseTakeovers) >= 4);
});

test('YAML and JSON give the same bytes, through the CLI with worker threads; a JSON key given twice is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-scn-'));
  try {
    const y = readFileSync(join(ROOT, 'scenarios', 'vrrp-pair.yaml'), 'utf8');
    writeFileSync(join(dir, 'vrrp-pair.json'), JSON.stringify(parseYaml(y)));
    cli('run', 'scenarios/vrrp-pair.yaml', '--seeds', '2', '--workers', '2', '--out', join(dir, 'y'), '--quiet');
    cli('run', join(dir, 'vrrp-pair.json'), '--seeds', '2', '--workers', '1', '--out', join(dir, 'j'), '--quiet');
    for (const f of ['runs.csv', 'summary.csv', 'incidents.csv', 'messages.csv']) assert.equal(readFileSync(join(dir, 'j', 'vrrp-pair', f), 'utf8'), readFileSync(join(dir, 'y', 'vrrp-pair', f), 'utf8'), f);
    const meta = JSON.parse(readFileSync(join(dir, 'y', 'vrrp-pair', 'meta.json'), 'utf8'));
    assert.equal(JSON.parse(meta.params.scenario).name, 'vrrp-pair', 'meta.json records the scenario');
    // JSON: a key given twice is refused (YAML already was), with its line
    const dup = join(dir, 'dup.json');
    writeFileSync(dup, '{"kind": "ha", "name": "a",\n "duration": 10, "duration": 20}');
    const dupErr = await runCli(['run', dup, '--out', join(dir, 'outdup')]);
    assert.equal(dupErr.code, 2);
    assert.match(dupErr.stderr, /^error: .*dup\.json: not valid JSON: Map keys must be unique at line 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a one-world scenario: a crash and its fail-back under three policies, the same crash for each; spare keeps the load, scheme recovers first', async () => {
  const { scenario, axes } = loadScenario(join(ROOT, 'scenarios', 'world-zone-crash.yaml'));
  const exp = scenarioExperiment(scenario, axes);
  const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 1, seed: 1, workers: 1 });
  const by = Object.fromEntries(res.runs.map((r) => [String(r.policy), r]));
  assert.deepEqual(Object.keys(by), ['paper', 'spare', 'scheme']);
  for (const r of res.runs) {
    assert.equal(Number(r.crashes), 1);
    assert.ok(Number(r.lostPlayerSeconds) > 0 && Number(r.plannedLostPlayerSeconds) >= 0, JSON.stringify(r));
  }
  // the take-over node of paper carries two regions until the fail-back; the standby of spare only the failed one
  assert.ok(Number(by.paper.peakOverCapacity) > 1.2 && Number(by.spare.peakOverCapacity) < 1, `${by.paper.peakOverCapacity} ${by.spare.peakOverCapacity}`);
  // the survivors of scheme run already: no fake process, set-up and start before the players reconnect
  assert.ok(Number(by.scheme.recoveryMean) < Number(by.paper.recoveryMean) - 4);
  const inc = res.tables.incidents;
  assert.deepEqual(inc.map((x) => [x.policy, x.node, x.crash]), [['paper', 3, 300], ['spare', 3, 300], ['scheme', 3, 300]]);
  assert.ok(res.tables.series.some((x) => Number(x.unserved) > 0));
});

test('a bad scenario file: one line naming the place and the problem, exit 2, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-bad-'));
  const base = 'kind: ha\nname: bad\nduration: 300\n';
  const cases: Array<[string, RegExp]> = [
    [base + 'faults:\n  - { at: 10, verb: crash, node: 0 }\n  - { at: 20, verb: repair, node: 0 }\n  - { at: -5, verb: crash, node: 1 }\n', /faults\[2\]\.at: must be >= 0/],
    [base + 'options:\n  nodse: 3\n', /options: unknown field 'nodse'/],
    [base + 'options:\n  nodes: 2\nfaults:\n  - { at: 10, verb: crash, node: 2 }\n', /faults\[0\]\.node: must be < nodes \(2\)/],
    [base + 'faults:\n  - { at: 10, verb: explode, node: 0 }\n', /faults\[0\]\.verb: "explode" is not one of crash, repair, pause/],
    [base + 'faults:\n  - { at: 10, verb: pause, node: 0 }\n', /faults\[0\]: must have required property 'duration'/],
    [base + 'options:\n  interval: [1, 1]\n', /options\.interval: a sweep lists a value twice/],
    [base + 'options:\n  netJitter: 0.01\n', /options: netJitter \(0\.01\) must not exceed netLatency/],
    [base + 'options:\n  detector: nosuch\n', /options: detector must be one of timeout, phi, adaptive/],
    ['kind: ha\nname: bad\n', /\(top\): must have required property 'duration'/],
    ['kind: nope\nname: bad\n', /kind: must be 'ha' or 'lb'/],
    ['kind: lb\nname: bad\nscheme: round-robin\n', /scheme: 'round-robin' is not a registered scheme/],
    ['kind: lb\nname: bad\nworld:\n  mobility: teleport\n', /world\.mobility: "teleport" is not one of static, random-waypoint/],
    ['kind: lb\nname: bad\nreplay: true\n', /replay: needs a world: section/],
    ['kind: lb\nname: bad\nworld:\n  speedMin: 9\n  speedMax: 2\n', /world: speedMax \(2\) must not be below speedMin \(9\)/],
    ['kind: ha\nname: bad\nduration: [300\n', /not valid YAML/],
    // a syntax error names its line, and where a quote or bracket never closed, the line where it opened
    ['kind: ha\nname: bad\nduration: 100\nfaults:\n  - at: 10\n    verb: crash\n  node: 1\n', /not valid YAML: All mapping items must start at the same column at line 7, column 1$/m],
    ['kind: ha\nname: bad\nduration: 100\n\tseeds: 2\n', /not valid YAML: Tabs are not allowed as indentation at line 4, column 1$/m],
    ['kind: ha\nname: "bad\nduration: 100\n', /Missing closing "quote at line 4, column 1 \(the quote opened at line 2, column 7 is not closed\)$/m],
    ['kind: ha\nname: bad\nduration: 100\nfaults: [ {at: 1, verb: crash, node: 0}\nseeds: 2\n', /at line 5, column 1 \(the \[ opened at line 4, column 9 is not closed\)$/m],
    // work and memory said before any run (these ran for ever, or ended in error: internal)
    ['kind: ha\nname: bad\nduration: 1e308\n', /the work of a run cannot be bounded/],
    [base + 'options:\n  interval: 1e-9\n  timeout: 3e-9\n', /CPU-hours of work .* over the budget/],
    ['kind: ha\nname: bad\nduration: 1000\noptions:\n  mtbf: 0.001\n', /options: a run of 1000 s with 2 nodes and mtbf 0.001 s would keep about/],
    ['kind: lb\nname: bad\noptions:\n  users: 1e12\n', /options: users must be at most 20,000,000/],
    [base + 'faults:\n  - { at: 10, verb: loss, p: 0.1, a: 0 }\n', /faults\[0\]: a loss between two nodes names both a and b/],
    [base + 'options:\n  nodes: 3\nfaults:\n  - { at: 10, verb: partition, group: [0, 1], other: [1, 2] }\n', /faults\[0\]: node 1 is on both sides of the partition/],
    ['kind: lb\nname: bad\nscheme: dynamic\noptions:\n  cellRows: 1\n  cellCols: 1\n  servers: 4\n', /the dynamic scheme needs a piece cell per server/],
    ['kind: lb\nname: bad\nworld:\n  sampleEvery: 1e-9\n', /CPU-hours of work .* over the budget/],
    [base + 'options:\n  lossModel: gilbert-elliott\n  netLoss: 0.05\nfaults:\n  - { at: 10, verb: loss, p: 0.9 }\n', /faults\[0\]\.p: with lossModel gilbert-elliott a loss rate must lie between/],
    // the one world: its sections need a world, the HA options it sets are not the file's, faults name its nodes
    ['kind: lb\nname: bad\nha:\n  detector: phi\n', /ha: needs a world: section/],
    ['kind: lb\nname: bad\nworld:\n  duration: 100\nha:\n  nodes: 3\n', /ha: unknown field 'nodes'/],
    ['kind: lb\nname: bad\nworld:\n  duration: 100\noneWorld:\n  policy: hot-standby\n', /oneWorld\.policy: "hot-standby" is not one of paper, spare, scheme/],
    ['kind: lb\nname: bad\noptions:\n  servers: 4\nworld:\n  duration: 100\nfaults:\n  - { at: 10, verb: crash, node: 4 }\n', /faults\[0\]\.node: must be < nodes \(4\)/],
    ['kind: lb\nname: bad\nworld:\n  duration: 100\nfaults:\n  - { at: 100, verb: crash, node: 0 }\n', /faults\[0\]\.at: 100 is not before the end of the run \(duration 100\)/],
    ['kind: lb\nname: bad\nworld:\n  duration: 100\nha:\n  interval: 2\n  timeout: 1\n', /ha: timeout \(1\) must be greater than interval \(2\)/],
  ];
  try {
    // in this process (the command line's own entry, as the binary runs it): one case costs no start-up
    for (const [i, [text, msg]] of cases.entries()) {
      const f = join(dir, `bad${i}.yaml`);
      writeFileSync(f, text);
      const out = join(dir, `out${i}`);
      const err = await runCli(['run', f, '--out', out]);
      assert.equal(err.code, 2, `case ${i}: ${err.stderr}`);
      assert.match(err.stderr, msg, `case ${i}`);
      assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
      assert.ok(err.stderr.startsWith(`error: ${f}: `), err.stderr);
      assert.ok(!existsSync(out), `case ${i}: nothing written`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('links: per-link loss and extra latency from the start (one way or both)', async () => {
  const { scenario, axes } = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'gamesim-links-'));
    const f = join(dir, 's.yaml');
    writeFileSync(f, 'kind: ha\nname: links\nduration: 2000\noptions: { interval: 0.5, timeout: 1.5 }\nlinks:\n  - { a: 0, b: 1, channel: net, loss: [0.5, 0.9], oneWay: true }\n  - { a: 0, b: 1, channel: serial, extraLatency: 0.25 }\n');
    try {
      return loadScenario(f);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  assert.deepEqual(axes.map((a) => a.label), ['links[0].loss']);
  const exp = scenarioExperiment(scenario, axes);
  const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 1, seed: 3, workers: 1 });
  // one direction of net carries a quarter of the heartbeat copies and loses half (then 90%) of them
  const lost = res.runs.map((r) => Number(r.lost) / Number(r.hbMessages));
  assert.ok(Math.abs(lost[0] - 0.125) < 0.01 && Math.abs(lost[1] - 0.225) < 0.01, String(lost));
  assert.ok(res.runs.every((r) => Number(r.mistakes) === 0), 'the slow serial copies (0.26 s < T) keep the peers trusted');
});

test('replay: an LB scenario in time writes one self-contained replay.html, every scheme\'s frames inside, nothing fetched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-replay-'));
  try {
    const f = join(dir, 'r.yaml');
    writeFileSync(f, 'kind: lb\nname: r\nreplay: true\nscheme: [dynamic, kd-tree]\noptions: { servers: 4 }\nworld: { duration: 300, initialPlayers: 300, joins: none, mobility: hotspot, hotspotRate: 60 }\n');
    cli('run', f, '--seeds', '1', '--out', join(dir, 'out'), '--quiet');
    const html = readFileSync(join(dir, 'out', 'r', 'replay.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\//, 'no external resource');
    const data = JSON.parse(/<script id="replay-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]);
    assert.deepEqual(data.tracks.map((t: { scheme: string }) => t.scheme), ['dynamic', 'kd-tree']);
    for (const t of data.tracks) {
      assert.ok(t.times.length >= 100 && t.times.length <= 121, `${t.times.length} frames`);
      // a frame's servers: one byte per player, every player online drawn (300 < 5000)
      assert.equal(Buffer.from(t.srv[0], 'base64').length, 300);
      assert.equal(Buffer.from(t.pos[0], 'base64').length, 4 * 300);
      assert.ok(t.reg && t.reg.length === t.times.length, 'region rasters for schemes with regions');
      assert.ok(t.spots.length > 0, 'hot spots');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a list of alternatives in a scenario is a paired comparison: every scheme sees the same players in a replicate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-paired-'));
  try {
    const file = join(dir, 'paired.yaml');
    writeFileSync(file, 'kind: lb\nname: paired\nseeds: 3\nscheme: [static, user-centric, kd-tree]\noptions:\n  users: 300\n  servers: [2, 4]\n');
    const { scenario, axes } = loadScenario(file);
    const exp = scenarioExperiment(scenario, axes);
    const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 3, seed: 1, workers: 1 });
    // every point of a replicate has the same seed, whatever its scheme or server count
    for (let r = 0; r < 3; r++) assert.equal(new Set(res.runSeeds.map((s) => s[r])).size, 1, `replicate ${r}`);
    assert.equal(new Set(res.runSeeds[0]).size, 3, 'replicates differ');
    // so the static partition and the user-centric scheme place the same 300 arrivals: their final loads sum alike, and static never migrates
    const rows = res.runs.filter((x) => x.servers === 2 && x.replicate === 1);
    assert.equal(rows.length, 3);
    assert.equal(rows.find((x) => x.scheme === 'static')!.migratedUsers, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
