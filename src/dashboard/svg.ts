// Charts drawn as plain SVG strings on the server: no browser, no canvas, no vega (a year of daily points renders
// in about a millisecond, which matters on a page rendered per state). Only presentation attributes are used, never
// style attributes or <style>, so the strict Content-Security-Policy (style-src 'self') allows them inline.
// No information by colour alone: every band has a pattern as well as a colour, is labelled directly at its right
// end, and the figure comes with its data as a table. Labels are our own words or country names; every string is
// escaped all the same.
import { cleanText, escapeHtml } from '../digest/escape.js';
import { daysBetween } from './data.js';

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies; grey for "unattributed" and "other". */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8C6D31', '#000000'];
export const GREY_UNATTRIBUTED = '#6B7280';
export const GREY_OTHER = '#C4C8CF';

/** Overlays that tell bands apart without colour; index-aligned with the palette. */
const PATTERNS = ['none', 'diag', 'dots', 'horiz', 'cross', 'vert', 'antidiag', 'grid'] as const;
type PatternKind = (typeof PATTERNS)[number];

export interface Series {
  key: string;
  label: string;
  /** One value per date (share 0..1 for stacks, a count for lines); null where there is no figure. */
  values: Array<number | null>;
  color?: string;
  pattern?: PatternKind;
}

export interface ChartInput {
  /** Unique on the page: pattern and title ids derive from it. */
  id: string;
  title: string;
  /** A sentence for screen readers (what the chart shows, the latest figures). */
  desc: string;
  dates: string[];
  series: Series[];
  width?: number;
  height?: number;
  /** Standalone files carry their title and method line inside the picture. */
  standalone?: { methodLine: string };
}

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
const INK = '#111827';
const MUTED = '#4B5563';
const GRID = '#E5E7EB';

const e = (s: string): string => escapeHtml(s);
const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

export function styleFor(i: number, key: string): { color: string; pattern: PatternKind } {
  if (key === 'ZZ') return { color: GREY_UNATTRIBUTED, pattern: 'dots' };
  if (key === 'Other') return { color: GREY_OTHER, pattern: 'horiz' };
  return { color: PALETTE[i % PALETTE.length]!, pattern: PATTERNS[i % PATTERNS.length]! };
}

function patternDef(id: string, color: string, kind: PatternKind): string {
  if (kind === 'none') return '';
  // White marks over the colour keep contrast on dark fills; black over light ones.
  const mark = ['#E69F00', '#56B4E9', '#C4C8CF', '#CC79A7'].includes(color) ? '#1F2937' : '#FFFFFF';
  const body: Record<Exclude<PatternKind, 'none'>, string> = {
    diag: `<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="${mark}" stroke-width="1.4"/>`,
    antidiag: `<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="${mark}" stroke-width="1.4"/>`,
    dots: `<circle cx="4" cy="4" r="1.5" fill="${mark}"/>`,
    horiz: `<path d="M0,4 h8" stroke="${mark}" stroke-width="1.4"/>`,
    vert: `<path d="M4,0 v8" stroke="${mark}" stroke-width="1.4"/>`,
    cross: `<path d="M0,0 l8,8 M8,0 l-8,8" stroke="${mark}" stroke-width="1"/>`,
    grid: `<path d="M0,4 h8 M4,0 v8" stroke="${mark}" stroke-width="1"/>`,
  };
  return `<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${color}"/>${body[kind]}</pattern>`;
}

function fillOf(
  chartId: string,
  i: number,
  s: Series,
): { fill: string; def: string; color: string; pattern: PatternKind } {
  const st = styleFor(i, s.key);
  const color = s.color ?? st.color;
  const pattern = s.pattern ?? st.pattern;
  const pid = `${chartId}-p${i}`;
  const def = patternDef(pid, color, pattern);
  return { fill: def ? `url(#${pid})` : color, def, color, pattern };
}

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  x(dateIndex: number): number;
  y(v: number): number;
}

function frame(input: ChartInput, yMax: number, labelWidth: number): Frame {
  const w = input.width ?? 720;
  const h = input.height ?? 300;
  const top = input.standalone ? 40 : 12;
  // Below the date labels, one more line of the method line's height for each line past the first.
  const extraLines = input.standalone ? methodLines(input.standalone.methodLine, w).length - 1 : 0;
  const bottom = input.standalone ? 52 + METHOD_LINE_HEIGHT * extraLines : 28;
  const left = 48;
  const right = labelWidth;
  const first = input.dates[0] ?? '1970-01-01';
  const span = Math.max(1, daysBetween(first, input.dates[input.dates.length - 1] ?? first));
  const offsets = input.dates.map((d) => daysBetween(first, d));
  const plotW = w - left - right;
  const plotH = h - top - bottom;
  return {
    w,
    h,
    left,
    right,
    top,
    bottom,
    x: (i) => left + (plotW * (offsets[i] ?? 0)) / span,
    y: (v) => top + plotH - (plotH * v) / (yMax || 1),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Date ticks: months for long spans, weeks (Mondays) for short ones; at most about eight labels. */
function xTicks(dates: string[]): Array<{ index: number; label: string }> {
  if (dates.length === 0) return [];
  const span = daysBetween(dates[0]!, dates[dates.length - 1]!);
  const ticks: Array<{ index: number; label: string }> = [];
  if (span > 75) {
    const every = Math.max(1, Math.ceil(span / 30 / 8));
    let month = -1;
    let n = 0;
    dates.forEach((d, i) => {
      const m = Number(d.slice(5, 7)) - 1;
      if (m !== month) {
        month = m;
        if (i > 0 && n++ % every === 0) ticks.push({ index: i, label: m === 0 ? d.slice(0, 4) : MONTHS[m]! });
      }
    });
  } else {
    const every = Math.max(1, Math.ceil(span / 7 / 8));
    let n = 0;
    dates.forEach((d, i) => {
      if (new Date(`${d}T00:00:00Z`).getUTCDay() === 1 && n++ % every === 0) {
        ticks.push({ index: i, label: `${MONTHS[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}` });
      }
    });
    if (ticks.length === 0) ticks.push({ index: 0, label: dates[0]! });
  }
  return ticks;
}

function axes(f: Frame, dates: string[], yTicks: Array<{ v: number; label: string }>): string {
  const out: string[] = [];
  for (const t of yTicks) {
    const y = r1(f.y(t.v));
    out.push(`<line x1="${f.left}" x2="${f.w - f.right}" y1="${y}" y2="${y}" stroke="${GRID}" stroke-width="1"/>`);
    out.push(
      `<text x="${f.left - 6}" y="${y}" dy="0.32em" text-anchor="end" font-size="11" fill="${MUTED}">${e(t.label)}</text>`,
    );
  }
  const base = f.h - f.bottom;
  out.push(`<line x1="${f.left}" x2="${f.w - f.right}" y1="${base}" y2="${base}" stroke="${MUTED}" stroke-width="1"/>`);
  for (const t of xTicks(dates)) {
    const x = r1(f.x(t.index));
    out.push(`<line x1="${x}" x2="${x}" y1="${base}" y2="${base + 4}" stroke="${MUTED}"/>`);
    out.push(
      `<text x="${x}" y="${base + 16}" text-anchor="middle" font-size="11" fill="${MUTED}">${e(t.label)}</text>`,
    );
  }
  return `<g aria-hidden="true">${out.join('')}</g>`;
}

/** Where the direct labels at the right-hand end of a chart's series go: 13 px apart at least, inside the plot. */
function endLabelYs(f: Frame, ends: ReadonlyArray<{ y: number }>): number[] {
  return spread(
    ends.map((x) => x.y),
    13,
    f.top + 5,
    f.h - f.bottom - 2,
  );
}

/** Spreads label positions apart (min gap) while keeping their order, inside [lo, hi]. */
export function spread(ys: number[], gap: number, lo: number, hi: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const out = new Array<number>(ys.length);
  let prev = lo - gap;
  for (const o of order) {
    const y = Math.max(o.y, prev + gap);
    out[o.i] = y;
    prev = y;
  }
  // Pushed past the bottom: walk back up.
  let next = hi + gap;
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!.i;
    out[i] = Math.min(out[i]!, next - gap);
    next = out[i]!;
  }
  return out;
}

const METHOD_FONT = 10.5;
const METHOD_LINE_HEIGHT = 13;
const METHOD_MAX_LINES = 3;

/**
 * A standalone chart's method line, broken between words into lines that fit the picture's width (the whole line is
 * the method: cut at a fixed length, it lost its last sentences). Past three lines the rest is left out with "…".
 */
export function methodLines(text: string, width: number): string[] {
  // From the charts' left margin (48) to 8 px short of the right edge.
  const room = width - 48 - 8;
  const fits = (s: string): boolean => (textWidth(s) * METHOD_FONT) / 11 <= room;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const longer = line ? `${line} ${word}` : word;
    if (line && !fits(longer)) {
      lines.push(line);
      line = word;
    } else line = longer;
  }
  if (line) lines.push(line);
  if (lines.length <= METHOD_MAX_LINES) return lines;
  const kept = lines.slice(0, METHOD_MAX_LINES);
  const words = kept[METHOD_MAX_LINES - 1]!.split(' ');
  while (words.length > 1 && !fits(`${words.join(' ')} …`)) words.pop();
  kept[METHOD_MAX_LINES - 1] = `${words.join(' ')} …`;
  return kept;
}

function wrap(input: ChartInput, f: Frame, defs: string[], body: string, legend: string): string {
  const tid = `${input.id}-t`;
  const did = `${input.id}-d`;
  const head = input.standalone
    ? `<rect width="${f.w}" height="${f.h}" fill="#FFFFFF"/><text x="${f.left}" y="22" font-size="14" font-weight="bold" fill="${INK}">${e(input.title)}</text>`
    : '';
  const lines = input.standalone ? methodLines(input.standalone.methodLine, f.w) : [];
  const foot = lines
    .map(
      (line, k) =>
        `<text x="${f.left}" y="${f.h - 10 - METHOD_LINE_HEIGHT * (lines.length - 1 - k)}" font-size="${METHOD_FONT}" fill="${MUTED}">${e(line)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.w} ${f.h}" width="${f.w}" height="${f.h}" role="img" ` +
    `aria-labelledby="${tid} ${did}" class="chart" font-family="${FONT}">` +
    `<title id="${tid}">${e(input.title)}</title><desc id="${did}">${e(input.desc)}</desc>` +
    (defs.length ? `<defs>${defs.join('')}</defs>` : '') +
    head +
    body +
    legend +
    foot +
    '</svg>'
  );
}

function noData(input: ChartInput): string {
  const f = frame(input, 1, 12);
  const msg = 'No figure for this selection yet.';
  return wrap(
    input,
    f,
    [],
    `<text x="${f.w / 2}" y="${f.h / 2}" text-anchor="middle" font-size="13" fill="${MUTED}">${msg}</text>`,
    '',
  );
}

/**
 * Stacked areas of shares (0..1) over time. A date where every series is null (the platform had no figure) breaks
 * the areas instead of drawing a made-up slope across it.
 */
export function stackedAreaSvg(input: ChartInput): string {
  const { dates, series } = input;
  const present = dates.map((_, i) => series.some((s) => s.values[i] !== null && s.values[i] !== undefined));
  if (!present.some(Boolean)) return noData(input);
  const f = frame(input, 1, 150);
  const n = dates.length;
  const cum = new Array<number>(n).fill(0);
  const defs: string[] = [];
  const paths: string[] = [];
  const ends: Array<{ y: number; label: string; color: string; fill: string }> = [];
  const lastIdx = present.lastIndexOf(true);
  const base = r1(f.y(0));
  series.forEach((s, si) => {
    const lower = cum.slice();
    for (let i = 0; i < n; i++) cum[i] = cum[i]! + (s.values[i] ?? 0);
    const fo = fillOf(input.id, si, s);
    if (fo.def) defs.push(fo.def);
    // One polygon per run of present dates.
    const d: string[] = [];
    let i = 0;
    while (i < n) {
      if (!present[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < n && present[j + 1]) j++;
      // Each band is drawn from the baseline up to its own top, the upper bands first: the next band down paints
      // over the lower part, so only one edge per band is written (half the bytes of closed ribbons).
      const top: string[] = [];
      for (let k = i; k <= j; k++) top.push(`${Math.round(f.x(k))},${r1(f.y(cum[k]!))}`);
      // A single date is drawn two pixels wide so it stays visible.
      const xEnd = i === j ? Math.round(f.x(i)) + 2 : Math.round(f.x(j));
      if (i === j) top.push(`${xEnd},${r1(f.y(cum[i]!))}`);
      d.push(`M${top.join('L')}L${xEnd},${base}L${Math.round(f.x(i))},${base}Z`);
      i = j + 1;
    }
    paths.unshift(
      `<path d="${d.join('')}" fill="${fo.fill}" stroke="#FFFFFF" stroke-width="0.6"><title>${e(s.label)}</title></path>`,
    );
    const v = s.values[lastIdx];
    if (v !== null && v !== undefined && v > 0) {
      ends.push({
        y: f.y(lower[lastIdx]! + v / 2),
        label: `${s.label} ${(v * 100).toFixed(1)}%`,
        color: fo.color,
        fill: fo.fill,
      });
    }
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((v) => ({ v, label: `${v * 100}%` }));
  const labelYs = endLabelYs(f, ends);
  const lx = f.w - f.right + 8;
  const labels = ends
    .map(
      (x, k) =>
        `<rect x="${lx}" y="${r1(labelYs[k]! - 5)}" width="10" height="10" fill="${x.fill}" stroke="${INK}" stroke-width="0.5"/>` +
        `<text x="${lx + 14}" y="${r1(labelYs[k]!)}" dy="0.32em" font-size="11" fill="${INK}">${e(x.label.slice(0, 28))}</text>`,
    )
    .join('');
  return wrap(input, f, defs, axes(f, dates, yTicks) + paths.join(''), `<g class="direct-labels">${labels}</g>`);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4', '4 2 1 2', '3 3'];

/** Lines over time (counts), each with its own dash pattern and a direct label at its last point. */
export function lineChartSvg(input: ChartInput & { format?: (v: number) => string; percent?: boolean }): string {
  const { dates, series } = input;
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v !== undefined && v > max) max = v;
  if (max === 0 && !series.some((s) => s.values.some((v) => v !== null))) return noData(input);
  const yMax = input.percent ? Math.min(1, niceMax(max)) : niceMax(max);
  const fmt = input.format ?? ((v: number) => String(v));
  const f = frame(input, yMax, 160);
  const lines: string[] = [];
  const ends: Array<{ y: number; label: string; color: string; dash: string }> = [];
  series.forEach((s, si) => {
    const color = s.color ?? styleFor(si, s.key).color;
    const dash = DASHES[si % DASHES.length]!;
    let d = '';
    let pen = false;
    let last = -1;
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${r1(f.x(i))},${r1(f.y(v))}`;
      pen = true;
      last = i;
    });
    if (!d) return;
    lines.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${e(s.label)}</title></path>`,
    );
    const lv = s.values[last]!;
    lines.push(`<circle cx="${r1(f.x(last))}" cy="${r1(f.y(lv))}" r="3" fill="${color}"/>`);
    ends.push({ y: f.y(lv), label: `${s.label} ${fmt(lv)}`, color, dash });
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((k) => ({ v: k * yMax, label: fmt(k * yMax) }));
  const labelYs = endLabelYs(f, ends);
  const lx = f.w - f.right + 6;
  const labels = ends
    .map(
      (x, k) =>
        `<line x1="${lx}" x2="${lx + 16}" y1="${r1(labelYs[k]!)}" y2="${r1(labelYs[k]!)}" stroke="${x.color}" stroke-width="2"${x.dash ? ` stroke-dasharray="${x.dash}"` : ''}/>` +
        `<text x="${lx + 20}" y="${r1(labelYs[k]!)}" dy="0.32em" font-size="11" fill="${INK}">${e(x.label.slice(0, 30))}</text>`,
    )
    .join('');
  return wrap(input, f, [], axes(f, dates, yTicks) + lines.join(''), `<g class="direct-labels">${labels}</g>`);
}

/** Rough text width of 11px sans-serif (badges have no font metrics to measure with). */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[ il.,:;|!'1]/.test(ch) ? 3.5 : /[MWmw%]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.3;
  return Math.ceil(w);
}

/** A README badge: label on grey, value on blue (both pass 4.5:1 against white text). */
export function badgeSvg(label: string, value: string): string {
  const lw = textWidth(label) + 12;
  const vw = textWidth(value) + 12;
  const w = lw + vw;
  const title = `${label}: ${value}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" viewBox="0 0 ${w} 20" role="img" aria-label="${e(title)}">` +
    `<title>${e(title)}</title>` +
    `<rect width="${lw}" height="20" rx="3" fill="#4B5563"/><rect x="${lw}" width="${vw}" height="20" rx="3" fill="#1D4ED8"/>` +
    `<rect x="${lw - 3}" width="6" height="20" fill="#1D4ED8"/><rect x="${lw - 3}" width="3" height="20" fill="#4B5563"/>` +
    `<g fill="#FFFFFF" font-family="Verdana, DejaVu Sans, sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="14" text-anchor="middle">${e(label)}</text>` +
    `<text x="${lw + vw / 2}" y="14" text-anchor="middle">${e(value)}</text></g></svg>`
  );
}

export interface BarKey {
  key: string;
  label: string;
  color?: string;
  pattern?: PatternKind;
}

export interface StackedBarsInput {
  /** Unique on the page: pattern and title ids derive from it. */
  id: string;
  title: string;
  desc: string;
  /** The segments' order and look, the same in every bar so bars compare. */
  keys: BarKey[];
  bars: Array<{ label: string; note: string; segments: Array<{ key: string; value: number; share: number }> }>;
  width?: number;
}

/**
 * One 100% bar per row (a country), split by key (licence class). Told apart without colour: each key has a
 * pattern, the legend names them, a segment wide enough carries its share in words on a white tab, every segment
 * has a tooltip, and the figure comes with its table.
 */
export function stackedBarsSvg(input: StackedBarsInput): string {
  const w = input.width ?? 720;
  const left = 150;
  const right = 70;
  const barH = 20;
  const step = 30;
  const plotW = w - left - right;
  const styles = input.keys.map((k, i) => {
    const st = styleFor(i, k.key);
    const color = k.color ?? st.color;
    const pattern = k.pattern ?? st.pattern;
    const pid = `${input.id}-p${i}`;
    const def = patternDef(pid, color, pattern);
    return { key: k.key, label: k.label, fill: def ? `url(#${pid})` : color, def };
  });
  const used = new Set(input.bars.flatMap((b) => b.segments.filter((s) => s.value > 0).map((s) => s.key)));
  const shown = styles.filter((s) => used.has(s.key));
  // Legend: wrapped into lines that fit the width.
  const legend: string[] = [];
  let lx = left;
  let ly = 14;
  for (const s of shown) {
    const itemW = 16 + textWidth(s.label) + 16;
    if (lx + itemW > w && lx > left) {
      lx = left;
      ly += 18;
    }
    legend.push(
      `<rect x="${lx}" y="${ly - 6}" width="12" height="12" fill="${s.fill}" stroke="${INK}" stroke-width="0.5"/>` +
        `<text x="${lx + 16}" y="${ly}" dy="0.32em" font-size="11" fill="${INK}">${e(s.label)}</text>`,
    );
    lx += itemW;
  }
  const top = ly + 18;
  const h = top + input.bars.length * step + 24;
  if (input.bars.length === 0) {
    return wrap(
      { id: input.id, title: input.title, desc: input.desc, dates: [], series: [] },
      { w, h: 120, left, right, top: 12, bottom: 28, x: () => 0, y: () => 0 },
      [],
      `<text x="${w / 2}" y="60" text-anchor="middle" font-size="13" fill="${MUTED}">No figure for this selection yet.</text>`,
      '',
    );
  }
  const body: string[] = [];
  const xOf = (share: number): number => left + plotW * share;
  const grid: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = r1(xOf(t));
    grid.push(`<line x1="${x}" x2="${x}" y1="${top - 4}" y2="${h - 20}" stroke="${GRID}" stroke-width="1"/>`);
    grid.push(`<text x="${x}" y="${h - 8}" text-anchor="middle" font-size="11" fill="${MUTED}">${t * 100}%</text>`);
  }
  input.bars.forEach((b, bi) => {
    const y = top + bi * step;
    body.push(
      `<text x="${left - 8}" y="${y + barH / 2}" dy="0.32em" text-anchor="end" font-size="12" fill="${INK}">${e(b.label.slice(0, 24))}</text>`,
    );
    let acc = 0;
    for (const s of styles) {
      const seg = b.segments.find((x) => x.key === s.key);
      if (!seg || seg.share <= 0) continue;
      const x0 = xOf(acc);
      acc += seg.share;
      const x1 = xOf(Math.min(1, acc));
      const pct = `${(seg.share * 100).toFixed(seg.share < 0.1 ? 1 : 0)}%`;
      body.push(
        `<rect x="${r1(x0)}" y="${y}" width="${r1(Math.max(0.5, x1 - x0))}" height="${barH}" fill="${s.fill}" stroke="#FFFFFF" stroke-width="0.6">` +
          `<title>${e(`${b.label}: ${s.label} ${pct}`)}</title></rect>`,
      );
      const tw = textWidth(pct) + 6;
      if (x1 - x0 >= tw + 4) {
        const cx = (x0 + x1) / 2;
        body.push(
          `<rect x="${r1(cx - tw / 2)}" y="${y + 4}" width="${tw}" height="${barH - 8}" rx="2" fill="#FFFFFF"/>` +
            `<text x="${r1(cx)}" y="${y + barH / 2}" dy="0.32em" text-anchor="middle" font-size="10" fill="${INK}">${e(pct)}</text>`,
        );
      }
    }
    body.push(
      `<text x="${w - right + 6}" y="${y + barH / 2}" dy="0.32em" font-size="11" fill="${MUTED}">${e(b.note.slice(0, 12))}</text>`,
    );
  });
  const defs = shown.map((s) => s.def).filter(Boolean);
  return wrap(
    { id: input.id, title: input.title, desc: input.desc, dates: [], series: [] },
    { w, h, left, right, top, bottom: 24, x: () => 0, y: () => 0 },
    defs,
    `<g aria-hidden="true">${grid.join('')}</g>${body.join('')}`,
    `<g class="legend">${legend.join('')}</g>`,
  );
}

export interface ValueBarsInput {
  /** Unique on the page: pattern and title ids derive from it. */
  id: string;
  title: string;
  desc: string;
  /** The legend: each bar names one group, and a group's bars share its colour and pattern. */
  groups: BarKey[];
  /** Largest first, as they are drawn from the top. Labels may be platform strings: they are cleaned and capped. */
  bars: Array<{ label: string; value: number; valueLabel: string; group: string }>;
  /** A vertical line at a value that means something (RAM 1: the 10th of its size class), named in words. */
  marker?: { value: number; label: string };
  width?: number;
}

/**
 * One horizontal bar per item (a model), from zero to its value (to the left for a negative one), each labelled with
 * its name on the left and its value at its end; colour and pattern say its group, which the legend names.
 */
export function valueBarsSvg(input: ValueBarsInput): string {
  const w = input.width ?? 720;
  const left = 210;
  const right = 70;
  const barH = 16;
  const step = 24;
  const plotW = w - left - right;
  const styles = new Map(
    input.groups.map((k, i) => {
      const st = styleFor(i, k.key);
      const color = k.color ?? st.color;
      const pid = `${input.id}-p${i}`;
      const def = patternDef(pid, color, k.pattern ?? st.pattern);
      return [k.key, { label: k.label, fill: def ? `url(#${pid})` : color, def }] as const;
    }),
  );
  const shown = [...styles.entries()].filter(([key]) => input.bars.some((b) => b.group === key));
  const legend: string[] = [];
  let lx = left;
  let ly = 14;
  for (const [, s] of shown) {
    const itemW = 16 + textWidth(s.label) + 16;
    if (lx + itemW > w && lx > left) {
      lx = left;
      ly += 18;
    }
    legend.push(
      `<rect x="${lx}" y="${ly - 6}" width="12" height="12" fill="${s.fill}" stroke="${INK}" stroke-width="0.5"/>` +
        `<text x="${lx + 16}" y="${ly}" dy="0.32em" font-size="11" fill="${INK}">${e(s.label)}</text>`,
    );
    lx += itemW;
  }
  // The marker's words get a line of their own under the legend.
  const markerTop = ly + (input.marker ? 30 : 16);
  const top = markerTop + (input.marker ? 8 : 4);
  const h = top + input.bars.length * step + 8;
  const values = input.bars.map((b) => b.value).concat(input.marker ? [input.marker.value] : []);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const xOf = (v: number): number => left + (plotW * (v - lo)) / (hi - lo || 1);
  const x0 = xOf(0);
  const body: string[] = [];
  input.bars.forEach((b, i) => {
    const y = top + i * step;
    const fill = styles.get(b.group)?.fill ?? GREY_OTHER;
    const from = Math.min(x0, xOf(b.value));
    const width = Math.max(1, Math.abs(xOf(b.value) - x0));
    const name = cleanText(b.label, 32);
    body.push(
      `<text x="${left - 8}" y="${y + barH / 2}" dy="0.32em" text-anchor="end" font-size="12" fill="${INK}">${e(name)}</text>` +
        `<path d="M${r1(from)},${y}h${r1(width)}v${barH}h${r1(-width)}Z" fill="${fill}" stroke="${INK}" stroke-width="0.5">` +
        `<title>${e(`${name}: ${b.valueLabel}`)}</title></path>` +
        `<text x="${r1(Math.max(x0, xOf(b.value)) + 4)}" y="${y + barH / 2}" dy="0.32em" font-size="11" fill="${INK}">${e(b.valueLabel)}</text>`,
    );
  });
  const axis = [
    `<line x1="${r1(x0)}" x2="${r1(x0)}" y1="${top - 4}" y2="${h - 4}" stroke="${MUTED}" stroke-width="1"/>`,
  ];
  if (input.marker) {
    const mx = xOf(input.marker.value);
    // The words run away from the nearer edge, so they stay inside the picture.
    const anchor = mx > left + plotW / 2 ? 'end' : 'start';
    axis.push(
      `<line x1="${r1(mx)}" x2="${r1(mx)}" y1="${markerTop}" y2="${h - 4}" stroke="${INK}" stroke-width="1" stroke-dasharray="4 3"/>` +
        `<text x="${r1(mx)}" y="${markerTop - 4}" text-anchor="${anchor}" font-size="11" fill="${INK}">${e(input.marker.label)}</text>`,
    );
  }
  return wrap(
    { id: input.id, title: input.title, desc: input.desc, dates: [], series: [] },
    { w, h, left, right, top, bottom: 8, x: () => 0, y: () => 0 },
    shown.map(([, s]) => s.def).filter(Boolean),
    `<g aria-hidden="true">${axis.join('')}</g>${body.join('')}`,
    `<g class="legend">${legend.join('')}</g>`,
  );
}
