// One neutral document built from the digest JSON; the Markdown and HTML renderers only walk it. Keeping the
// content in one place means the two formats cannot drift apart, and escaping happens at exactly one layer (the
// renderer), never here.
import { countryName } from '../normalise/countries.js';
import { PLATFORMS } from '../model.js';
import type { View } from '../snapshot/types.js';
import { PLATFORM_LABELS } from '../sources/registry.js';
import { KIND_LABELS, fmtChangePct, fmtGrowth, fmtInt, fmtParams, fmtPct, fmtPp, fmtRam, fmtSigned } from './escape.js';
import type {
  ChartDigest,
  CountChange,
  Digest,
  NewReleasesByCountry,
  NotableRelease,
  ShareComparison,
} from './types.js';

/** Text from a platform (or any stored string): isolated for bidi and capped by the renderer, always escaped. */
export type Inline =
  | { t: 'text'; s: string; untrusted?: boolean }
  | { t: 'strong'; s: string }
  | { t: 'link'; s: string; href: string; untrusted?: boolean };

export type Cell = Inline[];

export type Block =
  | { k: 'h'; level: 1 | 2 | 3; text: string }
  | { k: 'p'; parts: Inline[]; tone?: 'warn' | 'muted' }
  | { k: 'list'; items: Inline[][]; tone?: 'warn' | 'muted' }
  | { k: 'table'; head: string[]; align: Array<'l' | 'r'>; rows: Cell[][] }
  | { k: 'chart'; chart: ChartDigest; file: string };

/** Rows shown per country table; the rest are summed into one line so totals still add up. */
export const COUNTRY_ROWS = 10;

const txt = (s: string): Inline => ({ t: 'text', s });
const ut = (s: string | null | undefined): Inline => ({ t: 'text', s: s ?? '–', untrusted: true });
const strong = (s: string): Inline => ({ t: 'strong', s });

const VIEW_TITLES: Record<View, string> = {
  origin: 'Origin view (whose model it is)',
  publisher: 'Publisher view (who uploaded it)',
};

function flag(ok: boolean): string {
  return ok ? '' : ' †';
}

function countChangeRow(label: Inline, c: CountChange): Cell[] {
  return [
    [label],
    [txt(`${fmtInt(c.thisWeek)}${flag(c.complete)}`)],
    [txt(`${fmtInt(c.previousWeek)}${flag(c.previousComplete)}`)],
    [txt(`${fmtSigned(c.change)}${fmtChangePct(c.changePct)}`)],
  ];
}

function newReleasesTable(d: Digest): Block[] {
  const nr = d.headlines.newReleases;
  const rows: Cell[][] = PLATFORMS.map((p) => countChangeRow(txt(PLATFORM_LABELS[p]), nr.platforms[p]));
  rows.push(countChangeRow(strong('All platforms'), nr.combined));
  const blocks: Block[] = [
    { k: 'h', level: 3, text: 'New releases' },
    { k: 'table', head: ['Platform', d.week, d.previousWeek, 'Change'], align: ['l', 'r', 'r', 'r'], rows },
  ];
  const notes: Inline[][] = [];
  const allFlags = [
    ...PLATFORMS.map((p) => ({ label: PLATFORM_LABELS[p], c: nr.platforms[p] })),
    { label: 'All platforms', c: nr.combined },
  ];
  if (allFlags.some((f) => !f.c.complete || !f.c.previousComplete)) {
    notes.push([
      txt('† incomplete: a day without a snapshot, or with an unfinished sweep, counts nothing; nothing is estimated.'),
    ]);
    for (const f of allFlags) {
      if (f.c.missingDates.length)
        notes.push([txt(`${f.label}, ${d.week}: no figure for ${f.c.missingDates.join(', ')}.`)]);
      if (f.c.previousMissingDates.length) {
        notes.push([txt(`${f.label}, ${d.previousWeek}: no figure for ${f.c.previousMissingDates.join(', ')}.`)]);
      }
    }
  }
  if (notes.length) blocks.push({ k: 'list', items: notes, tone: 'muted' });
  return blocks;
}

function countryCountTable(title: string, b: NewReleasesByCountry, d: Digest): Block[] {
  const shown = b.rows.slice(0, COUNTRY_ROWS);
  const rest = b.rows.slice(COUNTRY_ROWS);
  const rows: Cell[][] = shown.map((r) => [
    [txt(countryName(r.country))],
    [txt(fmtInt(r.thisWeek))],
    [txt(fmtPct(r.share))],
    [txt(fmtInt(r.previousWeek))],
    [txt(fmtSigned(r.change))],
    [txt(fmtPp(r.deltaPp))],
  ]);
  if (rest.length) {
    const t = rest.reduce((a, r) => a + r.thisWeek, 0);
    const p = rest.reduce((a, r) => a + r.previousWeek, 0);
    rows.push([
      [txt(`Other (${rest.length})`)],
      [txt(fmtInt(t))],
      [txt(fmtPct(b.total ? t / b.total : 0))],
      [txt(fmtInt(p))],
      [txt(fmtSigned(t - p))],
      [txt(fmtPp(((b.total ? t / b.total : 0) - (b.previousTotal ? p / b.previousTotal : 0)) * 100))],
    ]);
  }
  rows.push([
    [strong('Total')],
    [txt(fmtInt(b.total))],
    [txt('100%')],
    [txt(fmtInt(b.previousTotal))],
    [txt(fmtSigned(b.total - b.previousTotal))],
    [txt('')],
  ]);
  return [
    { k: 'p', parts: [strong(title)] },
    {
      k: 'table',
      head: ['Country', d.week, 'Share', d.previousWeek, 'Change', 'Share change'],
      align: ['l', 'r', 'r', 'r', 'r', 'r'],
      rows,
    },
  ];
}

function shareTable(cmp: ShareComparison, valueLabel: string, withChange: boolean): Block[] {
  const out: Block[] = [];
  for (const view of ['origin', 'publisher'] as const) {
    const v = cmp.views[view];
    out.push({ k: 'p', parts: [strong(VIEW_TITLES[view])] });
    if (!v) {
      out.push({ k: 'p', parts: [txt('No figure in the snapshots for this view.')], tone: 'muted' });
      continue;
    }
    const shown = v.rows.slice(0, COUNTRY_ROWS);
    const rest = v.rows.slice(COUNTRY_ROWS);
    const rows: Cell[][] = shown.map((r) => [
      [txt(countryName(r.country))],
      [txt(fmtPct(r.share))],
      [txt(fmtPp(r.deltaPp))],
      [txt(fmtInt(r.value))],
      ...(withChange ? [[txt(fmtSigned(r.change))]] : []),
    ]);
    if (rest.length) {
      const share = rest.reduce((a, r) => a + r.share, 0);
      const prevShare = v.previousTotal === null ? null : rest.reduce((a, r) => a + (r.previousShare ?? 0), 0);
      const value = rest.reduce((a, r) => a + r.value, 0);
      const change = v.previousTotal === null ? null : rest.reduce((a, r) => a + (r.change ?? 0), 0);
      rows.push([
        [txt(`Other (${rest.length})`)],
        [txt(fmtPct(share))],
        [txt(fmtPp(prevShare === null ? null : (share - prevShare) * 100))],
        [txt(fmtInt(value))],
        ...(withChange ? [[txt(fmtSigned(change))]] : []),
      ]);
    }
    out.push({
      k: 'table',
      head: ['Country', 'Share', 'Change', valueLabel, ...(withChange ? ['Net change'] : [])],
      align: ['l', 'r', 'r', 'r', ...(withChange ? (['r'] as const) : [])],
      rows,
    });
    out.push({
      k: 'p',
      tone: 'muted',
      parts: [
        txt(
          `Platforms combined: ${v.combinedPlatforms.map((p) => PLATFORM_LABELS[p] ?? p).join(', ') || 'none'}` +
            (v.previousCombinedPlatforms && v.previousCombinedPlatforms.join() !== v.combinedPlatforms.join()
              ? ` (previous: ${v.previousCombinedPlatforms.map((p) => PLATFORM_LABELS[p] ?? p).join(', ')}; the change mixes coverage)`
              : '') +
            '.',
        ),
      ],
    });
  }
  return out;
}

function asOfLine(cmp: ShareComparison, d: Digest): Block {
  const parts: string[] = [];
  parts.push(
    cmp.asOf
      ? `As of ${cmp.asOf}${cmp.asOfIsWeekEnd ? '' : ` (no snapshot for ${d.end})`}`
      : `No snapshot in ${d.week}`,
  );
  parts.push(cmp.previousAsOf ? `against ${cmp.previousAsOf}` : 'no previous snapshot to compare with');
  return {
    k: 'p',
    parts: [txt(`${parts.join(', ')}.`)],
    tone: cmp.asOfIsWeekEnd && cmp.previousAsOfIsWeekEnd ? 'muted' : 'warn',
  };
}

function notableRow(r: NotableRelease, i: number): Cell[] {
  return [
    [txt(String(i + 1))],
    [{ t: 'link', s: r.id, href: r.url, untrusted: true }, txt(` (${PLATFORM_LABELS[r.platform] ?? r.platform})`)],
    [ut(r.org)],
    [txt(countryName(r.country))],
    [ut(r.license.id), txt(` (${r.license.class})`)],
    [txt(fmtParams(r.params))],
    [txt(fmtInt(r.firstWeekDownloads))],
    [txt(fmtInt(r.likes))],
    [txt(fmtRam(r.momentum.ram))],
    [txt(fmtGrowth(r.momentum.growth7d))],
  ];
}

function familyTrend(points: Digest['families']['rows'][number]['trend']): string {
  return points
    .map((p) => (p.newDerivatives === null ? '–' : `${fmtInt(p.newDerivatives)}${p.complete ? '' : '†'}`))
    .join(' · ');
}

export function buildDocument(d: Digest): Block[] {
  const b: Block[] = [];
  b.push({ k: 'h', level: 1, text: d.title });
  b.push({ k: 'p', parts: [txt(d.summary)] });
  if (d.status.warnings.length) {
    b.push({ k: 'list', tone: 'warn', items: d.status.warnings.map((w) => [strong('Incomplete: '), txt(w)]) });
  }

  b.push({ k: 'h', level: 2, text: 'Headlines' });
  b.push(...newReleasesTable(d));
  // The picture first, then the table (the method closes the document).
  b.push({ k: 'h', level: 3, text: 'New releases by country' });
  b.push({ k: 'chart', chart: d.charts.originSplit, file: `${d.week}.origin-split.svg` });
  b.push(...countryCountTable(VIEW_TITLES.origin, d.headlines.newReleases.byCountry.origin, d));
  b.push(...countryCountTable(VIEW_TITLES.publisher, d.headlines.newReleases.byCountry.publisher, d));

  b.push({ k: 'h', level: 3, text: 'Share of 30-day downloads by country' });
  b.push({ k: 'chart', chart: d.charts.countryShares, file: `${d.week}.country-shares.svg` });
  b.push(asOfLine(d.headlines.downloads30d, d));
  b.push(...shareTable(d.headlines.downloads30d, '30-day downloads', false));

  b.push({ k: 'h', level: 3, text: 'Derivative models by country of the original' });
  b.push(asOfLine(d.headlines.derivatives, d));
  b.push(...shareTable(d.headlines.derivatives, 'Derivatives', true));

  b.push({ k: 'h', level: 3, text: 'Licence mix of new base models' });
  const lm = d.headlines.licenseMix;
  if (lm.newBaseModels.total === 0) {
    b.push({ k: 'p', parts: [txt('No new base models in the store for this week.')], tone: 'muted' });
  } else {
    b.push({
      k: 'table',
      head: ['Licence class', 'New base models', 'Share'],
      align: ['l', 'r', 'r'],
      rows: [
        ...lm.newBaseModels.rows.map((r) => [[txt(r.licenseClass)], [txt(fmtInt(r.models))], [txt(fmtPct(r.share))]]),
        [[strong('Total')], [txt(fmtInt(lm.newBaseModels.total))], [txt('100%')]],
      ],
    });
  }
  if (lm.allNewReleases.total > 0) {
    b.push({
      k: 'p',
      tone: 'muted',
      parts: [
        txt(
          `All new releases (any relation, from the snapshots): ${lm.allNewReleases.rows
            .map((r) => `${r.licenseClass} ${fmtPct(r.share)}`)
            .join(', ')} of ${fmtInt(lm.allNewReleases.total)}.`,
        ),
      ],
    });
  }

  b.push({ k: 'h', level: 2, text: 'Notable releases' });
  b.push({
    k: 'p',
    tone: 'muted',
    parts: [
      txt(
        `${fmtInt(d.notable.total)} new base models from known organisations, ranked by first-week downloads; likes are shown apart (attention, not adoption). ` +
          'RAM (relative adoption): downloads against the 10th most downloaded base model of the same platform and size class at the same age, after the ATOM Report; above 1 is on track for that top 10. ' +
          '7-day growth: the last 7 days against the 3 weeks before, after Model Pulse. – where a figure cannot be given (too few peers of that size and age, or no history 4 weeks back).',
      ),
    ],
  });
  for (const g of d.notable.groups) {
    b.push({ k: 'h', level: 3, text: `${KIND_LABELS[g.kind] ?? g.kind} (${fmtInt(g.count)})` });
    b.push({
      k: 'table',
      head: [
        '#',
        'Model',
        'Organisation',
        'Country',
        'Licence',
        'Params',
        'First-week downloads',
        'Likes',
        'RAM',
        '7-day growth',
      ],
      align: ['r', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
      rows: g.items.map(notableRow),
    });
    if (g.count > g.items.length) {
      b.push({ k: 'p', tone: 'muted', parts: [txt(`And ${fmtInt(g.count - g.items.length)} more in the JSON.`)] });
    }
  }

  b.push({ k: 'h', level: 2, text: 'Families' });
  if (d.families.rows.length === 0) {
    b.push({ k: 'p', parts: [txt('No family figures in the snapshots.')], tone: 'muted' });
  } else {
    b.push({
      k: 'table',
      head: ['Family', 'New derivatives', d.previousWeek, 'Change', `Trend, ${d.families.weeks[0]} to ${d.week}`],
      align: ['l', 'r', 'r', 'r', 'l'],
      rows: d.families.rows.map((r) => [
        [ut(r.family)],
        [txt(fmtInt(r.thisWeek))],
        [txt(fmtInt(r.previousWeek))],
        [txt(fmtSigned(r.change))],
        [txt(familyTrend(r.trend))],
      ]),
    });
  }

  b.push(...methodBlocks(d));
  return b;
}

function methodBlocks(d: Digest): Block[] {
  const m = d.method;
  const b: Block[] = [{ k: 'h', level: 2, text: 'Method' }];
  const items: Inline[][] = [];
  items.push([strong('Week: '), txt(`${d.week}, ${d.start} to ${d.end} (ISO week, UTC), against ${d.previousWeek}.`)]);
  items.push([strong('Scope: '), txt(m.scope)]);
  for (const [view, text] of Object.entries(m.views)) items.push([strong(`View ${view}: `), ut(text)]);
  for (const [p, text] of Object.entries(m.windows))
    items.push([strong(`30-day window, ${PLATFORM_LABELS[p] ?? p}: `), ut(text)]);
  // Our definitions are our text; the snapshot's own words (snapshot.*) come from another file and are escaped as such.
  for (const [k, text] of Object.entries(m.definitions))
    items.push([strong(`${k}: `), k.startsWith('snapshot.') ? ut(text) : txt(text)]);
  b.push({ k: 'list', items, tone: 'muted' });

  b.push({ k: 'p', parts: [strong('Coverage per platform, ' + d.week)] });
  b.push({
    k: 'table',
    head: [
      'Platform',
      'Days with snapshot',
      'Complete days',
      'Requests',
      '429s',
      'Errors',
      'Quarantined',
      'Models seen',
      '30-day figure',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: m.coverage.map((c) => [
      [txt(PLATFORM_LABELS[c.platform] ?? c.platform)],
      [txt(`${c.daysWithSnapshot} / 7`)],
      [txt(String(c.daysComplete))],
      [txt(fmtInt(c.requests))],
      [txt(fmtInt(c.http429))],
      [txt(fmtInt(c.errors))],
      [txt(fmtInt(c.quarantined))],
      [txt(fmtInt(c.modelsSeenLastDay))],
      [txt(c.downloads30dSource ?? '–')],
    ]),
  });

  const gaps: Inline[][] = [];
  for (const ws of [d.status.thisWeek, d.status.previousWeek]) {
    gaps.push([
      strong(`${ws.week}: `),
      txt(
        ws.missingDates.length
          ? `no snapshot for ${ws.missingDates.join(', ')}.`
          : 'all seven daily snapshots present.',
      ),
    ]);
  }
  for (const tw of m.trendWeeks) {
    if (tw.week === d.week || tw.week === d.previousWeek) continue;
    if (tw.missingDates.length)
      gaps.push([strong(`${tw.week}: `), txt(`no snapshot for ${tw.missingDates.join(', ')}.`)]);
  }
  for (const c of m.coverage) for (const n of c.notes) gaps.push([txt(`${PLATFORM_LABELS[c.platform]}: `), ut(n)]);
  for (const s of m.incomplete) gaps.push([txt(s)]);
  gaps.push([txt('Nothing is filled in by estimate: a missing day adds nothing and its figures are flagged.')]);
  b.push({ k: 'list', items: gaps, tone: 'muted' });
  const foot: Inline[] = [
    txt(`Generated ${d.generatedAt} by ${d.generator}. The JSON (${d.week}.json) is the source of this digest.`),
  ];
  if (m.contactUrl)
    foot.push(txt(' Report a problem: '), { t: 'link', s: m.contactUrl, href: m.contactUrl, untrusted: true });
  b.push({ k: 'p', parts: foot, tone: 'muted' });
  return b;
}
