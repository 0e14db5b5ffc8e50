/**
 * Charts: a vega-lite spec (data inlined) compiled by vega-lite, rendered to
 * SVG by vega without a canvas, and to PNG by resvg with the system fonts
 * (without them resvg silently drops every text element).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';

export const FONT_FAMILY = 'DejaVu Sans';

const BASE_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  // legends under the chart: the width is the plot's, so a figure fits a paper page
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom', direction: 'vertical' },
  title: { fontSize: 14, anchor: 'start' },
};

/**
 * Several legends under a chart stack downwards. A Vega setting that Vega-Lite's
 * config does not take (its `legend.layout` is an expression there), so it is
 * set on the compiled spec: the .vl.json files stay valid Vega-Lite.
 */
const LEGEND_LAYOUT = { bottom: { direction: 'vertical', anchor: 'start' } };

/** Add the project's defaults (font, white background) to a spec without overriding its own config. */
export function withDefaults(spec: Record<string, unknown>): Record<string, unknown> {
  const config = { ...BASE_CONFIG, ...((spec.config as object) ?? {}) };
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec, config };
}

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vg = compile(withDefaults(spec) as any).spec as { config?: { legend?: Record<string, unknown> } };
  if (!(spec.config as { legend?: unknown } | undefined)?.legend) vg.config = { ...vg.config, legend: { ...vg.config?.legend, layout: LEGEND_LAYOUT } };
  const view = new vega.View(vega.parse(vg as vega.Spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}
