/**
 * One colour per detector, preset and system in every HA chart, so a reader
 * who learnt "blue is the paper's timeout detector" in one figure can read the
 * next without its legend. A preset takes its detector's colour (akka and
 * cassandra are phi detectors); the heartbeat pair of the downtime charts runs
 * the paper's detector and is drawn in its blue; a single server (no HA) has a
 * colour no detector uses. Loss levels of one series are shades of its colour
 * (darker = less loss), fixed per loss value, not per chart.
 */

/** The detectors compared by `detectors` (phi in Akka's and Cassandra's forms). */
export const DETECTOR_COLORS: Record<string, string> = {
  timeout: '#4e79a7',
  'phi-akka': '#f28e2b',
  'phi-cassandra': '#e15759',
  adaptive: '#59a14f',
};

/** The presets: the timeout ones in blues and purples, the phi ones in their detector's colour. */
export const PRESET_COLORS: Record<string, string> = {
  paper: DETECTOR_COLORS.timeout,
  'linux-ha': '#76b7b2',
  vrrp: '#b07aa1',
  akka: DETECTOR_COLORS['phi-akka'],
  cassandra: DETECTOR_COLORS['phi-cassandra'],
};

export const SYSTEM_COLORS: Record<string, string> = {
  'single (no HA)': '#9c755f',
  'HA pair': DETECTOR_COLORS.timeout,
};

const OTHER = '#7f7f7f';

function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** `hex` mixed with white (t > 0, up to 1: white) or with black (t < 0, down to -1: black). */
export function lighten(hex: string, t: number): string {
  return '#' + rgb(hex).map((c) => Math.round(t >= 0 ? c + (255 - c) * t : c * (1 + t)).toString(16).padStart(2, '0')).join('');
}

/** Loss levels and their shade: negative darker (mixed with black), positive lighter (with white); other values take the nearest level on a log scale. */
const LOSS_SHADES: [number, number][] = [[0, -0.45], [0.001, -0.2], [0.01, 0.1], [0.05, 0.4], [0.1, 0.55], [0.3, 0.7]];

/** The shade of a series with loss probability p (fixed per value, not per chart). */
export function lossShade(p: number): number {
  if (!(p > 0)) return LOSS_SHADES[0][1];
  let best = LOSS_SHADES[1];
  for (const l of LOSS_SHADES.slice(1)) if (Math.abs(Math.log10(p / l[0])) < Math.abs(Math.log10(p / best[0]))) best = l;
  return best[1];
}

/** The colour of a preset's series at loss p (fixed: the same preset and loss give the same colour in every chart). */
export function presetColor(preset: string, p = 0): string {
  return lighten(PRESET_COLORS[preset] ?? OTHER, lossShade(p));
}

/** A colour encoding of `field` whose every value has a fixed colour (`colorOf`), in the order given. */
export function fixedColor(field: string, title: string | null, domain: string[], colorOf: (v: string) => string): Record<string, unknown> {
  return { field, type: 'nominal', title, sort: null, scale: { domain, range: domain.map(colorOf) } };
}
