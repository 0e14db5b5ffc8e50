/**
 * A self-contained HTML replay of LB runs in time: one page, no server, no
 * libraries. Players are dots coloured by server, the schemes' regions a
 * light raster underneath, hot spots rings while they last; a time slider,
 * play/pause and a scheme selector; #scheme=K&frame=N in the address (K a
 * place in the list or a scheme's name; kept up to date while viewing) opens a
 * given moment. The frames are embedded as base64 typed
 * arrays (positions as 16-bit map fractions, servers as bytes).
 */

/** One scheme's recording. */
export interface ReplayTrack {
  scheme: string;
  seed: number;
  /** Frame times (s). */
  times: number[];
  /** Per frame: x, y of each shown player as fractions of the map in 1/65535, interleaved. */
  positions: Uint16Array[];
  /** Per frame: the server of each shown player. */
  servers: Uint8Array[];
  /** Per frame: the owner of each raster point (cols x rows, row-major), or none for schemes without regions. */
  regions?: Uint8Array[];
  /** Players online per frame (the frame shows them all, or an even sample when there are many). */
  online: number[];
  /** The run's hot spots. */
  spots: Array<{ x: number; y: number; r: number; start: number; end: number }>;
  /** The one world, per frame: the regions without service (their server down, or players not yet back). */
  down?: number[][];
  /** The one world: moments worth a link (a crash, its recovery, a fail-back), each with its frame. */
  events?: Array<{ t: number; frame: number; text: string }>;
}

export interface Replay {
  title: string;
  mapWidth: number;
  mapHeight: number;
  servers: number;
  rasterCols: number;
  rasterRows: number;
  tracks: ReplayTrack[];
  note: string;
}

const b64 = (a: Uint8Array | Uint16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function replayHtml(r: Replay): string {
  const data = {
    W: r.mapWidth, H: r.mapHeight, S: r.servers, cols: r.rasterCols, rows: r.rasterRows,
    tracks: r.tracks.map((t) => ({
      scheme: t.scheme, seed: t.seed, times: t.times, online: t.online, spots: t.spots,
      pos: t.positions.map(b64), srv: t.servers.map(b64), reg: t.regions ? t.regions.map(b64) : null,
      down: t.down ?? null, events: t.events ?? [],
    })),
  };
  // the data is JSON inside a script element: '<' is escaped so no string can close it
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
#bar{display:flex;gap:12px;align-items:center;margin:8px 0}
#t{width:480px}
canvas{border:1px solid #ccc;image-rendering:pixelated}
#legend span{display:inline-block;margin-right:10px}
#legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;vertical-align:middle}
</style></head><body>
<h2>${esc(r.title)}</h2>
<p>${esc(r.note)}</p>
<div id="bar"><select id="scheme"></select><button id="play">play</button><input id="t" type="range" min="0" value="0"><span id="info"></span></div>
<canvas id="map"></canvas>
<div id="legend"></div>
<div id="events"></div>
<script id="replay-data" type="application/json">${json}</script>
<script>
const D = JSON.parse(document.getElementById('replay-data').textContent);
const PAL = ['#4e79a7','#f28e2b','#e15759','#76b7b2','#59a14f','#edc948','#b07aa1','#ff9da7','#9c755f','#bab0ac','#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b'];
const col = (s) => PAL[s % PAL.length];
const dec = (s, T) => { const b = atob(s); const u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return new T(u.buffer); };
const cv = document.getElementById('map'), cx = cv.getContext('2d');
const scale = Math.min(900 / D.W, 600 / D.H); cv.width = Math.round(D.W * scale); cv.height = Math.round(D.H * scale);
const sel = document.getElementById('scheme'), slider = document.getElementById('t'), info = document.getElementById('info'), play = document.getElementById('play');
D.tracks.forEach((t, i) => { const o = document.createElement('option'); o.value = i; o.textContent = t.scheme + ' (seed ' + t.seed + ')'; sel.appendChild(o); });
document.getElementById('legend').innerHTML = Array.from({ length: D.S }, (_, s) => '<span><i style="background:' + col(s) + '"></i>server ' + s + '</span>').join('') + (D.tracks.some((t) => t.down) ? '<span style="color:#d62728">&#x2715;</span><span> without service</span><span><i style="background:#333;opacity:0.4;border-radius:0"></i>region without service</span>' : '');
function draw() {
  const tr = D.tracks[+sel.value], k = Math.min(+slider.value, tr.times.length - 1), t = tr.times[k];
  slider.max = tr.times.length - 1;
  cx.fillStyle = '#fff'; cx.fillRect(0, 0, cv.width, cv.height);
  if (tr.reg) {
    const g = dec(tr.reg[k], Uint8Array), w = cv.width / D.cols, h = cv.height / D.rows;
    cx.globalAlpha = 0.18;
    const dn = new Set(tr.down ? tr.down[k] : []);
    for (let r = 0; r < D.rows; r++) for (let c = 0; c < D.cols; c++) { const x0 = Math.round(c * w), y0 = Math.round(r * h), o = g[r * D.cols + c]; cx.globalAlpha = dn.has(o) ? 0.4 : 0.18; cx.fillStyle = dn.has(o) ? '#333' : col(o); cx.fillRect(x0, y0, Math.round((c + 1) * w) - x0, Math.round((r + 1) * h) - y0); }
    cx.globalAlpha = 1;
  }
  const p = dec(tr.pos[k], Uint16Array), s = dec(tr.srv[k], Uint8Array);
  let off = 0;
  for (let i = 0; i < s.length; i++) {
    const x = p[2 * i] / 65535 * cv.width, y = p[2 * i + 1] / 65535 * cv.height;
    // 255: a player without service (its region's server is down, or it is reconnecting): a black cross
    if (s[i] === 255) { off++; cx.strokeStyle = '#d62728'; cx.lineWidth = 1; cx.beginPath(); cx.moveTo(x - 2, y - 2); cx.lineTo(x + 2, y + 2); cx.moveTo(x + 2, y - 2); cx.lineTo(x - 2, y + 2); cx.stroke(); }
    else { cx.fillStyle = col(s[i]); cx.fillRect(x - 1, y - 1, 2.5, 2.5); }
  }
  cx.strokeStyle = '#000'; cx.lineWidth = 1.5;
  for (const h of tr.spots) if (h.start <= t && t < h.end) { cx.beginPath(); cx.arc(h.x * scale, h.y * scale, Math.max(4, h.r * scale), 0, 2 * Math.PI); cx.stroke(); }
  info.textContent = 't = ' + t.toFixed(0) + ' s, ' + tr.online[k] + ' players online' + (s.length < tr.online[k] ? ' (' + s.length + ' shown)' : '') + (tr.down ? ', ' + off + ' shown without service' + (tr.down[k].length ? ' (regions ' + tr.down[k].join(', ') + ' down)' : '') : '');
  document.getElementById('events').innerHTML = tr.events.length ? 'Moments: ' + tr.events.map((e) => '<a href="#scheme=' + encodeURIComponent(tr.scheme) + '&frame=' + e.frame + '" data-frame="' + e.frame + '">' + e.text + '</a>').join(' · ') : '';
  for (const a of document.querySelectorAll('#events a')) a.onclick = (ev) => { ev.preventDefault(); slider.value = a.dataset.frame; draw(); };
  history.replaceState(null, '', '#scheme=' + tr.scheme + '&frame=' + k); // the address is a link to this moment
}
let timer = null;
play.onclick = () => { if (timer) { clearInterval(timer); timer = null; play.textContent = 'play'; return; } play.textContent = 'pause'; timer = setInterval(() => { slider.value = (+slider.value + 1) % (+slider.max + 1); draw(); }, 80); };
slider.oninput = draw; sel.onchange = draw;
// #scheme=K&frame=N (K: the scheme's place in the list, or its name) opens a given scheme and frame (a link to a moment)
const q = new URLSearchParams(location.hash.slice(1));
if (q.has('scheme')) { const v = q.get('scheme'), i = /^[0-9]+$/.test(v) ? +v : D.tracks.findIndex((t) => t.scheme === v); sel.value = i >= 0 && i < D.tracks.length ? i : 0; }
slider.max = D.tracks[+sel.value].times.length - 1;
if (q.has('frame')) slider.value = q.get('frame');
draw();
</script></body></html>
`;
}
