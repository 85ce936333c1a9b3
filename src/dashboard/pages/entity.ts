// An organisation's page (its shares over time, its models) and a model's page (downloads history, lineage up to
// its root, mirrors on other platforms). Names come from platforms and the registry: all escaped and capped.
import type { NormalisedRecord } from '../../model.js';
import type { View } from '../../snapshot/types.js';
import type { DerivativeCounts, ReadStore, StatsPoint } from '../../store/types.js';
import { PLATFORM_LABELS } from '../../sources/registry.js';
import type { Day } from '../data.js';
import { fmtCompact, fmtInt, fmtPct, kindLabel, own, safeUrl, text, VIEW_LABELS } from '../format.js';
import { countryName } from '../../normalise/countries.js';
import { figure, link, optionGroup, table } from '../html.js';
import type { Links } from '../links.js';
import {
  FIGURE_LABELS,
  fmtAge,
  fmtFigure,
  momentumMethodLine,
  type Figure,
  type SnapshotMomentum,
} from '../momentum.js';
import { lineChartSvg, valueBarsSvg } from '../svg.js';

/** Whether any snapshot names this organisation (in either view). */
export function orgKnown(days: Day[], name: string): boolean {
  return days.some((d) => d.orgs.origin.some((o) => o.org === name) || d.orgs.publisher.some((o) => o.org === name));
}

export function orgBody(
  days: Day[],
  name: string,
  view: View,
  models: NormalisedRecord[],
  links: Links,
  viewHref: (v: View) => string | null,
): string {
  const dates = days.map((d) => d.date);
  const rowOn = (d: Day) => d.orgs[view].find((o) => o.org === name);
  const total = (d: Day) => d.metrics.downloads30d.scopes.all[view].combined?.total ?? 0;
  const share = days.map((d) => {
    const r = rowOn(d);
    const t = total(d);
    return r && t ? r.downloads30d / t : null;
  });
  const last = days[days.length - 1];
  const lastRow = last ? rowOn(last) : undefined;
  const svg = lineChartSvg({
    id: 'orgshare',
    title: 'Share of all 30-day downloads',
    desc: `Share of all 30-day downloads held by this organisation${lastRow && last ? `; ${fmtPct(share[share.length - 1] ?? null)} on ${last.date}` : ''}.`,
    dates,
    series: [{ key: 'share', label: 'share', values: share }],
    format: (v) => fmtPct(v),
    percent: true,
  });
  const recent = days.slice(-8).reverse();
  const trendTable = table(
    'Last eight snapshots',
    [
      { head: 'Date' },
      { head: 'Share', num: true },
      { head: '30-day downloads', num: true },
      { head: 'Models', num: true },
      { head: 'New releases', num: true },
    ],
    recent.map((d) => {
      const r = rowOn(d);
      const t = total(d);
      return [
        own(d.date),
        r && t ? fmtPct(r.downloads30d / t) : '–',
        fmtInt(r?.downloads30d),
        fmtInt(r?.models),
        fmtInt(r?.newReleases),
      ];
    }),
  );
  const modelRows = models.map((m) => [
    link(links.model(m.key), text(m.id, 100)),
    own(PLATFORM_LABELS[m.platform] ?? m.platform),
    own(m.lineage.relation),
    own(m.license.class),
    own((m.releasedAt ?? '').slice(0, 10) || '–'),
    fmtInt(m.stats.downloads30d),
  ]);
  const views = optionGroup(
    'e-view',
    'View',
    (['origin', 'publisher'] as const).map((v) => ({ label: VIEW_LABELS[v], href: viewHref(v), current: v === view })),
  );
  return `<h1>Organisation: ${text(name)}</h1>
<p class="lede">${lastRow ? `${own(countryName(lastRow.country))}, ${own(kindLabel(lastRow.kind))}. ` : ''}Figures in the ${own(view)} view, all platforms combined.</p>
<nav class="controls" aria-label="Chart options">${views}</nav>
${figure('trend', 'Share over time', svg, trendTable, `Share of the combined 30-day downloads (all models); a gap means the organisation was outside that day's top 50. Window: 30-day downloads on each platform with the figure.`)}
<section aria-labelledby="models-h"><h2 id="models-h">Models</h2>${
    modelRows.length
      ? table(
          `Models (${modelRows.length} most recent)`,
          [
            { head: 'Model' },
            { head: 'Platform' },
            { head: 'Relation' },
            { head: 'Licence class' },
            { head: 'Released' },
            { head: '30-day downloads', num: true },
          ],
          modelRows,
        )
      : '<p class="empty">No model of this organisation is in the store.</p>'
  }</section>`;
}

const RELATION_WORDS: Record<string, string> = {
  finetune: 'fine-tunes',
  adapter: 'adapters',
  quantized: 'quantisations',
  merge: 'merges',
  base: 'copies and others (relation base)',
};

function derivativesHtml(m: NormalisedRecord, d: DerivativeCounts, links: Links): string {
  const direct = d.direct.length
    ? table(
        `Models built directly on this one (${fmtInt(d.directTotal)})`,
        [{ head: 'Relation' }, { head: 'Models', num: true }],
        d.direct.map((r) => [own(RELATION_WORDS[r.relation] ?? r.relation), fmtInt(r.models)]),
      )
    : '<p class="empty">No tracked model names this one as its base.</p>';
  const root =
    m.lineage.root === m.key
      ? `<p>All descendants with this model as their lineage root, at any depth: <strong>${fmtInt(d.descendants)}</strong>.</p>`
      : `<p>Descendants at every depth are counted at the lineage root, ${link(links.model(m.lineage.root), text(m.lineage.root))}.</p>`;
  return `${direct}${root}<p class="note">Direct: models whose declared base models include this one (or a name it had before a rename). Deleted models are not counted.</p>`;
}

/** Follows the first base model up to the root, at most `max` hops, never round a cycle. */
export async function lineageChain(
  store: ReadStore,
  model: NormalisedRecord,
  max = 8,
): Promise<Array<{ key: string; model: NormalisedRecord | null }>> {
  const chain: Array<{ key: string; model: NormalisedRecord | null }> = [];
  const seen = new Set([model.key]);
  let cur: NormalisedRecord | null = model;
  while (cur && cur.lineage.relation !== 'base' && chain.length < max) {
    const next: string | undefined = cur.lineage.baseModels[0];
    if (!next || seen.has(next)) break;
    seen.add(next);
    cur = await store.getModel(next);
    chain.push({ key: next, model: cur });
  }
  const root = model.lineage.root;
  if (root !== model.key && !seen.has(root)) chain.push({ key: root, model: await store.getModel(root) });
  return chain;
}

const MOMENTUM_GROUPS = [
  { key: 'model', label: 'this model' },
  { key: 'reference', label: 'what it is measured against' },
];

/** One figure as two bars: the model's downloads, and the reference they are divided by. */
function momentumBars(id: string, fig: Figure, metric: 'ram' | 'growth7d', title: string): string {
  const e = fig.entry;
  const [mine, theirs] =
    metric === 'ram'
      ? ['downloads since creation', `cut-off (${e.sizeClass ?? 'no class'}, ${fmtAge(e.ageDays)})`]
      : ['downloads, last 7 days', 'a week, in the 3 before'];
  return valueBarsSvg({
    id,
    title,
    desc: `${title} ${fmtFigure(metric, e.value)}: ${fmtInt(e.downloads)} ${mine} against ${fmtInt(e.reference)} (${theirs}).`,
    groups: MOMENTUM_GROUPS,
    bars: [
      { label: mine, value: e.downloads, valueLabel: fmtCompact(e.downloads), group: 'model' },
      { label: theirs, value: e.reference, valueLabel: fmtCompact(e.reference), group: 'reference' },
    ],
    width: 560,
  });
}

/** The model's figures in the latest snapshot's momentum lists; nothing when it is in none of them. */
function momentumHtml(m: NormalisedRecord, momentum: SnapshotMomentum | null): string {
  if (!momentum) return '';
  const platform = PLATFORM_LABELS[m.platform] ?? m.platform;
  const top = momentum.block.top;
  const rows: Array<{ label: string; metric: 'ram' | 'growth7d'; fig: Figure; from: string }> = [];
  const ramFrom = (f: Figure, peers: string): string =>
    `${fmtInt(f.entry.downloads)} downloads since creation ÷ ${fmtInt(f.entry.reference)}, the cut-off of ${peers} of ${f.entry.sizeClass ?? 'no class'} on ${platform} at ${fmtAge(f.entry.ageDays)}`;
  const ram = momentum.figure('ram', m.key);
  if (ram) rows.push({ label: 'RAM among all models', metric: 'ram', fig: ram, from: ramFrom(ram, 'base models') });
  const llmRam = momentum.llmRamFigure(m.key);
  if (llmRam)
    rows.push({
      label: 'RAM among language models',
      metric: 'ram',
      fig: llmRam,
      from: ramFrom(llmRam, 'base language models'),
    });
  const growth = momentum.figure('growth7d', m.key);
  if (growth)
    rows.push({
      label: FIGURE_LABELS.growth7d,
      metric: 'growth7d',
      fig: growth,
      from: `${fmtInt(growth.entry.downloads)} downloads in the last 7 days against ${fmtInt(growth.entry.reference)} a week in the 3 weeks before`,
    });
  if (rows.length === 0) return '';
  const ramFig = ram ?? llmRam;
  const pictures =
    (ramFig ? momentumBars('mom-ram', ramFig, 'ram', FIGURE_LABELS.ram) : '') +
    (growth ? momentumBars('mom-growth', growth, 'growth7d', FIGURE_LABELS.growth7d) : '');
  const figures = table(
    `Momentum in the snapshot of ${momentum.date}`,
    [{ head: 'Figure' }, { head: 'Value', num: true }, { head: 'From' }, { head: 'Rank', num: true }],
    rows.map((r) => [
      own(r.label),
      own(fmtFigure(r.metric, r.fig.entry.value)),
      own(r.from),
      own(`${r.fig.rank} of ${top}`),
    ]),
  );
  return figure('momentum', `Momentum on ${momentum.date}`, pictures, figures, momentumMethodLine(momentum));
}

export function modelBody(
  m: NormalisedRecord,
  history: StatsPoint[],
  chain: Array<{ key: string; model: NormalisedRecord | null }>,
  derivatives: DerivativeCounts,
  links: Links,
  momentum: SnapshotMomentum | null,
): string {
  const dates = history.map((h) => h.date);
  const svg = lineChartSvg({
    id: 'dl',
    title: 'Downloads over time',
    desc: `All-time and 30-day downloads per stored day, ${dates[0] ?? ''} to ${dates[dates.length - 1] ?? ''}.`,
    dates,
    series: [
      { key: 'all', label: 'all-time', values: history.map((h) => h.downloadsAllTime) },
      { key: '30d', label: '30-day', values: history.map((h) => h.downloads30d) },
    ],
    format: fmtCompact,
  });
  const histTable = table(
    'Stored days (latest first)',
    [{ head: 'Date' }, { head: 'All-time', num: true }, { head: '30-day', num: true }, { head: 'Likes', num: true }],
    history
      .slice(-10)
      .reverse()
      .map((h) => [own(h.date), fmtInt(h.downloadsAllTime), fmtInt(h.downloads30d), fmtInt(h.likes)]),
  );
  const url = safeUrl(m.url);
  const lineage = [`<li>${text(m.id)} (${own(m.lineage.relation)})</li>`]
    .concat(
      chain.map(
        (c) =>
          `<li>${link(links.model(c.key), text(c.model?.id ?? c.key))}${c.model ? ` (${own(c.model.lineage.relation)})` : ' (not tracked)'}${c.key === m.lineage.root ? ' — root' : ''}</li>`,
      ),
    )
    .join('');
  const mirrors = m.mirrors.length
    ? `<ul>${m.mirrors
        .slice(0, 20)
        .map((k) => `<li>${link(links.model(k), text(k))}</li>`)
        .join('')}</ul>`
    : '<p class="empty">No mirror on another platform is known.</p>';
  const facts = table(
    'Facts',
    [{ head: 'Field' }, { head: 'Value' }],
    [
      [
        'Platform',
        own(PLATFORM_LABELS[m.platform] ?? m.platform) + (url ? ` (${link(url, 'open on the platform', true)})` : ''),
      ],
      [
        'Publisher',
        `${m.publisher.org ? link(links.org(m.publisher.org), text(m.publisher.org)) : text(m.namespace)} · ${own(countryName(m.publisher.country))} · ${own(kindLabel(m.publisher.kind))}`,
      ],
      [
        'Origin',
        `${m.origin.org ? link(links.org(m.origin.org), text(m.origin.org)) : 'unknown'} · ${own(countryName(m.origin.country))} (by ${own(m.origin.basis)})`,
      ],
      ['Licence', `${text(m.license.id)} (${own(m.license.class)})`],
      ['Family', m.lineage.family ? text(m.lineage.family) : '–'],
      ['Task', m.task ? text(m.task) : '–'],
      ['Released', own((m.releasedAt ?? '').slice(0, 10) || '–')],
    ].map(([a, b]) => [own(a!), b!]),
  );
  return `<h1>Model: ${text(m.id, 200)}</h1>
${facts}
${figure('downloads', 'Downloads', svg, histTable, `Downloads as the platform reports them on each day hubwatch swept it; 30-day figures on ModelScope and WiseModel come from stored history (docs/method.md).`)}
${momentumHtml(m, momentum)}
<section aria-labelledby="lin-h"><h2 id="lin-h">Lineage up to its root</h2><ul class="lineage">${lineage}</ul></section>
<section aria-labelledby="der-h"><h2 id="der-h">Derivatives by relation</h2>${derivativesHtml(m, derivatives, links)}</section>
<section aria-labelledby="mir-h"><h2 id="mir-h">Mirrors on other platforms</h2>${mirrors}</section>`;
}
