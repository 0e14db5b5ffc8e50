/**
 * Writes the example traces in examples/traces/ (deterministic: the same
 * bytes each time): `npm run make-traces`. They stand in for measurements of
 * one's own network (docs/traces.md says how to capture those):
 *
 * - lan-bursty.csv: 3 hours of 1 s heartbeats on a LAN (0.5 ms median one-way
 *   latency, a lognormal spread, a 20-200 ms stall on 0.1% of them), lost in
 *   bursts: a Gilbert-Elliott channel (loss rate 1%, bad runs of 4 copies on
 *   average, 70% lost in a bad run, 0.1% in a good one), drawn by gamesim's
 *   own Gilbert-Elliott model;
 * - ping-wan.txt: `ping -D` output of 1,200 pings a second apart across a WAN
 *   (about 40 ms round trip, 2% independent loss);
 * - ripe-atlas.json: 300 RIPE Atlas ping results of 3 packets (about 25 ms
 *   round trip, 1% loss);
 * - players-walk.csv: 150 players walking (random waypoint) on a 2,000 x
 *   1,000 m field for an hour, one sighting every 20 s, sessions of 10-60
 *   minutes;
 * - players-zones.csv: a zone-level log of 400 players moving between 12
 *   zones of a game (time, player, zone), a sighting at each zone change.
 */
import { writeFileSync } from 'node:fs';
import { Streams } from '../src/kernel/random.ts';
import { makeConfig } from '../src/models/ha/options.ts';
import { lossModel } from '../src/models/ha/channel-models.ts';

const dir = new URL('../examples/traces/', import.meta.url).pathname;
const streams = new Streams(20261206);

// ---- lan-bursty.csv ----
{
  const n = 3 * 3600;
  const cfg = makeConfig({ lossModel: 'gilbert-elliott', netLoss: 0.01, burstLength: 4, burstLoss: 0.7, goodLoss: 0.001 });
  const loss = lossModel('gilbert-elliott')(0.01, 0, cfg, streams.get('lan-loss'), 0);
  const lat = streams.get('lan-latency');
  const t0 = 1765000000;
  const lines = ['# 1 s heartbeats on a LAN, 3 hours: seq, send time, receive time (empty: lost); made by scripts/make-traces.ts', 'seq,send,receive'];
  for (let k = 0; k < n; k++) {
    const send = t0 + k + lat.uniform(0, 0.002); // the sender's timer fires a little late
    let d = lat.lognormal(Math.log(0.0005), 0.3);
    if (lat.random() < 0.001) d += lat.uniform(0.02, 0.2);
    const lost = loss.nextLoss(k) === k;
    lines.push(`${k},${send.toFixed(6)},${lost ? '' : (send + d).toFixed(6)}`);
  }
  writeFileSync(dir + 'lan-bursty.csv', lines.join('\n') + '\n');
}

// ---- ping-wan.txt ----
{
  const r = streams.get('ping');
  const n = 1200, t0 = 1765000000.5;
  const lines = ['PING 203.0.113.7 (203.0.113.7) 56(84) bytes of data.'];
  let got = 0;
  const rtts: number[] = [];
  for (let k = 1; k <= n; k++) {
    if (r.random() < 0.02) continue;
    const rtt = 38 + r.lognormal(Math.log(2), 0.6);
    rtts.push(rtt);
    got++;
    lines.push(`[${(t0 + (k - 1) + rtt / 1000).toFixed(6)}] 64 bytes from 203.0.113.7: icmp_seq=${k} ttl=52 time=${rtt.toFixed(1)} ms`);
  }
  rtts.sort((a, b) => a - b);
  const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
  lines.push('', '--- 203.0.113.7 ping statistics ---', `${n} packets transmitted, ${got} received, ${(((n - got) / n) * 100).toFixed(1)}% packet loss, time ${(n - 1) * 1000}ms`);
  lines.push(`rtt min/avg/max/mdev = ${rtts[0].toFixed(3)}/${avg.toFixed(3)}/${rtts[rtts.length - 1].toFixed(3)}/1.000 ms`);
  writeFileSync(dir + 'ping-wan.txt', lines.join('\n') + '\n');
}

// ---- ripe-atlas.json ----
{
  const r = streams.get('atlas');
  const out: unknown[] = [];
  for (let i = 0; i < 300; i++) {
    const result = [0, 1, 2].map(() => (r.random() < 0.01 ? { x: '*' } : { rtt: +(24 + r.lognormal(Math.log(1), 0.5)).toFixed(3) }));
    out.push({ fw: 5080, type: 'ping', prb_id: 6001, msm_id: 1001, dst_addr: '192.0.2.10', af: 4, proto: 'ICMP', size: 48, timestamp: 1765000000 + 240 * i, sent: 3, rcvd: result.filter((x) => 'rtt' in x).length, result });
  }
  writeFileSync(dir + 'ripe-atlas.json', JSON.stringify(out) + '\n');
}
// ---- players-walk.csv ----
{
  const r = streams.get('walk');
  const rows: string[] = ['# 150 players walking on a 2000 x 1000 m field, a sighting every 20 s; made by scripts/make-traces.ts', 'time,player,x,y'];
  const all: Array<[number, string]> = [];
  for (let p = 0; p < 150; p++) {
    const join = Math.floor(r.uniform(0, 3000) / 20) * 20, len = r.uniform(600, 3600);
    let x = r.uniform(0, 2000), y = r.uniform(0, 1000), tx = r.uniform(0, 2000), ty = r.uniform(0, 1000);
    const v = r.uniform(1, 3);
    for (let t = join; t <= Math.min(3600, join + len); t += 20) {
      all.push([t, `${t},p${p},${x.toFixed(1)},${y.toFixed(1)}`]);
      const dx = tx - x, dy = ty - y, d = Math.hypot(dx, dy);
      if (d <= v * 20) (x = tx), (y = ty), (tx = r.uniform(0, 2000)), (ty = r.uniform(0, 1000));
      else (x += (dx / d) * v * 20), (y += (dy / d) * v * 20);
    }
  }
  all.sort((a, b) => a[0] - b[0]);
  writeFileSync(dir + 'players-walk.csv', [...rows, ...all.map((x) => x[1])].join('\n') + '\n');
}

// ---- players-zones.csv ----
{
  const r = streams.get('zones');
  const zones = ['town', 'market', 'docks', 'forest', 'mine', 'castle', 'swamp', 'desert', 'arena', 'temple', 'harbor', 'cave'];
  const all: Array<[number, string]> = [];
  for (let p = 0; p < 400; p++) {
    let t = Math.floor(r.uniform(0, 3000));
    const end = Math.min(3600, t + r.uniform(300, 3600));
    let z = Math.floor(r.random() * zones.length);
    for (;;) {
      all.push([t, `${t},u${p},${zones[z]}`]);
      t += Math.ceil(r.exponential(300));
      if (t > end) break;
      z = (z + 1 + Math.floor(r.random() * 3)) % zones.length;
    }
  }
  all.sort((a, b) => a[0] - b[0]);
  writeFileSync(dir + 'players-zones.csv', ['# 400 players moving between 12 zones; made by scripts/make-traces.ts', 'time,player,zone', ...all.map((x) => x[1])].join('\n') + '\n');
}
console.log('wrote examples/traces/lan-bursty.csv, ping-wan.txt, ripe-atlas.json, players-walk.csv, players-zones.csv');
