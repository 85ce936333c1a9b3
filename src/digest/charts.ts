// The digest's two charts, drawn headless by vega-lite into SVG strings. Chart data carries only values we
// control (ISO country codes, checked and then named in English, ISO week labels, numbers): a platform string never
// reaches a chart, and the SVG is sanitised again when inlined.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { countryName } from '../normalise/countries.js';
import { sanitizeSvg } from './escape.js';

const COUNTRY_RE = /^[A-Z]{2}$/;
const WEEK_RE = /^\d{4}-W\d{2}$/;

/** Labels that may appear in charts: a country code, an ISO week, or one of our own words. Anything else is refused. */
export function chartLabel(s: string): string {
  if (COUNTRY_RE.test(s) || WEEK_RE.test(s) || s === 'Other') return s;
  throw new Error(`refusing chart label ${JSON.stringify(s.slice(0, 40))}: only country codes, weeks and "Other"`);
}

const BASE_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: '#ffffff',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, grid: true, gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
};

/** Renders a vega-lite spec to an SVG string without a browser or canvas. */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return sanitizeSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

export interface CountrySharePoint {
  week: string;
  country: string;
  share: number;
}

export function countrySharesSpec(points: CountrySharePoint[], weeks: string[], countries: string[]): TopLevelSpec {
  const values = points.map((p) => ({
    week: chartLabel(p.week),
    country: countryName(chartLabel(p.country)),
    share: p.share,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480,
    height: 220,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      // The domain lists every week, so a week without a snapshot shows as an empty column rather than vanishing.
      x: {
        field: 'week',
        type: 'ordinal',
        title: null,
        scale: { domain: weeks.map(chartLabel) },
        axis: { labelAngle: -30 },
      },
      y: {
        field: 'share',
        type: 'quantitative',
        title: 'Share of 30-day downloads',
        stack: 'zero',
        scale: { domain: [0, 1] },
        axis: { format: '.0%' },
      },
      color: {
        field: 'country',
        type: 'nominal',
        title: 'Country',
        scale: { domain: countries.map(chartLabel), scheme: 'tableau10' },
        sort: countries.map(chartLabel),
      },
      tooltip: [
        { field: 'week', type: 'ordinal' },
        { field: 'country', type: 'nominal' },
        { field: 'share', type: 'quantitative', format: '.1%' },
      ],
    },
  };
}

export interface CountryCountPoint {
  country: string;
  releases: number;
}

export function originSplitSpec(points: CountryCountPoint[]): TopLevelSpec {
  const values = points.map((p) => ({ country: countryName(chartLabel(p.country)), releases: p.releases }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480,
    height: Math.max(60, 22 * values.length),
    config: BASE_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#2563eb' },
        encoding: {
          y: { field: 'country', type: 'nominal', title: null, sort: values.map((v) => v.country) },
          x: { field: 'releases', type: 'quantitative', title: 'New releases (origin country)' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 11 },
        encoding: {
          y: { field: 'country', type: 'nominal', sort: values.map((v) => v.country) },
          x: { field: 'releases', type: 'quantitative' },
          text: { field: 'releases', type: 'quantitative', format: ',d' },
        },
      },
    ],
  };
}

/** Width and height from the root element, so renderers can reserve the space. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"/.exec(svg);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : { width: 0, height: 0 };
}
