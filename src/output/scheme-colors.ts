/**
 * One colour per LB scheme (and the paper's readings of the dynamic scheme),
 * the same in every chart: the experiments' and the scenario pages'.
 */
import type { Row } from '../runner/experiment.ts';

const SCHEME_COLORS: Array<[string, string]> = [
  ['static', '#8c8c8c'], ['careful', '#4e79a7'], ['dynamic', '#4e79a7'], ['literal', '#f28e2b'], ['best', '#b07aa1'], ['user-centric', '#59a14f'],
  ['kd-tree', '#e15759'], ['progrega', '#76b7b2'],
];
/** Colours for schemes a user registers, in the order they appear. */
const OTHER_COLORS = ['#edc948', '#9c755f', '#ff9da7', '#bab0ac', '#d37295'];

/** A colour encoding of `field` with the fixed scheme colours (values it does not know get the next free ones). */
export function schemeColor(values: Row[], field = 'scheme', title = 'reading'): Record<string, unknown> {
  // a value names a reading, or starts with one ('user-centric k=1.5'); in the fixed order of the readings
  const present = [...new Set(values.map((r) => String(r[field])))];
  const colorOf = (v: string) => SCHEME_COLORS.find(([n]) => v === n || v.startsWith(n + ' '))?.[1];
  const rank = (v: string) => SCHEME_COLORS.findIndex(([n]) => v === n || v.startsWith(n + ' '));
  const known = present.filter((v) => colorOf(v)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const others = present.filter((v) => !colorOf(v));
  return {
    field, type: 'nominal', title,
    scale: { domain: [...known, ...others], range: [...known.map((v) => colorOf(v)!), ...others.map((_, i) => OTHER_COLORS[i % OTHER_COLORS.length])] },
  };
}

