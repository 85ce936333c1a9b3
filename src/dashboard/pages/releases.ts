// Releases: the week's new base models (originals, not fine-tunes or quantisations), with links to the platform,
// filterable by country, organisation, licence class and platform, with each one's momentum (RAM and 7-day growth)
// as the latest snapshot gives it, and orderable by either.
import { LICENSE_CLASSES, PLATFORMS, type NormalisedRecord } from '../../model.js';
import { cleanText } from '../../digest/escape.js';
import { RAM_PEERS } from '../../snapshot/momentum.js';
import type { MomentumMetric } from '../../snapshot/types.js';
import { PLATFORM_LABELS } from '../../sources/registry.js';
import type { ReadStore } from '../../store/types.js';
import { addDays } from '../data.js';
import { attr, fmtInt, own, safeUrl, text, VIEW_LABELS } from '../format.js';
import { countryName } from '../../normalise/countries.js';
import { figure, link, notice, optionGroup, table, type Column } from '../html.js';
import type { Links } from '../links.js';
import {
  FIGURE_LABELS,
  fmtFigure,
  momentumMethodLine,
  orderReleases,
  type MomentumCell,
  type SnapshotMomentum,
} from '../momentum.js';
import { RELEASE_ORDERS, type ReleaseFilters, type ReleaseOrder } from '../state.js';
import { valueBarsSvg } from '../svg.js';

export const RELEASES_SHOWN = 60;

/**
 * The week's base releases matching the filters, in the chosen order (most downloaded first by default). Ordered
 * before they are cut to RELEASES_SHOWN, so a release with a large figure is listed whatever its downloads.
 */
export async function weekReleases(
  store: ReadStore,
  latest: string,
  f: ReleaseFilters,
  momentum: SnapshotMomentum | null,
): Promise<NormalisedRecord[]> {
  const page = await store.listModels({
    relation: 'base',
    since: `${addDays(latest, -6)}T00:00:00.000Z`,
    limit: 500,
    view: f.view,
    ...(f.platform ? { platform: f.platform } : {}),
    ...(f.country ? { country: f.country } : {}),
    ...(f.org ? { org: f.org } : {}),
    ...(f.licenseClass ? { licenseClass: f.licenseClass } : {}),
  });
  return orderReleases(page.items, f.order ?? 'downloads', momentum).slice(0, RELEASES_SHOWN);
}

function filterForm(f: ReleaseFilters, links: Links, action: string): string {
  const opt = (value: string, label: string, current: string | undefined): string =>
    `<option value="${attr(value)}"${value === (current ?? '') ? ' selected' : ''}>${own(label)}</option>`;
  return `<form class="filters" method="get" action="${attr(action)}" data-swap role="search" aria-label="Filter releases">
<label>View<select name="view">${(['origin', 'publisher'] as const).map((v) => opt(v, VIEW_LABELS[v], f.view)).join('')}</select></label>
<label>Platform<select name="platform">${opt('', 'all platforms', f.platform)}${PLATFORMS.map((p) => opt(p, PLATFORM_LABELS[p] ?? p, f.platform)).join('')}</select></label>
<label>Licence class<select name="license_class">${opt('', 'any', f.licenseClass)}${LICENSE_CLASSES.map((c) => opt(c, c, f.licenseClass)).join('')}</select></label>
<label>Country code<input name="country" value="${attr(f.country ?? '')}" size="4" maxlength="2" pattern="[A-Za-z]{2}" placeholder="CN"></label>
<label>Organisation<input name="org" value="${attr(f.org ?? '', 200)}" size="18" maxlength="200"></label>
${f.order ? `<input type="hidden" name="order" value="${attr(f.order)}">` : ''}<button type="submit">Apply</button>
</form>`;
}

/**
 * The static export has no query strings: the platform links are files (in the same order), the other filters need
 * the server.
 */
function platformLinks(f: ReleaseFilters, links: Links): string {
  const order = f.order ? { order: f.order } : {};
  const choices = [
    { label: 'all platforms', href: links.releases({ view: 'origin', ...order }), current: !f.platform },
  ].concat(
    PLATFORMS.map((p) => ({
      label: PLATFORM_LABELS[p] ?? p,
      href: links.releases({ view: 'origin', platform: p, ...order }),
      current: f.platform === p,
    })),
  );
  return `<nav class="controls" aria-label="Filter releases">${optionGroup('rel-platform', 'Platform', choices)}</nav>`;
}

const ORDER_LABELS: Record<ReleaseOrder, string> = {
  downloads: '30-day downloads',
  ram: FIGURE_LABELS.ram,
  growth7d: FIGURE_LABELS.growth7d,
};

function orderWords(order: ReleaseOrder): string {
  return order === 'downloads'
    ? 'most downloaded first'
    : `largest ${ORDER_LABELS[order]} first, then the rest by 30-day downloads`;
}

/** The order as options (links, so each order is a URL); the filters are kept. */
function orderLinks(f: ReleaseFilters, links: Links): string {
  const current = f.order ?? 'downloads';
  const choices = RELEASE_ORDERS.map((order) => {
    const { order: _ignored, ...filters } = f;
    return {
      label: ORDER_LABELS[order],
      href: links.releases(order === 'downloads' ? filters : { ...filters, order }),
      current: order === current,
    };
  });
  return `<nav class="controls" aria-label="Order releases">${optionGroup('rel-order', 'Order by', choices)}</nav>`;
}

/** A figure, or a marker that says why there is none (our words and dates only: nothing from a platform). */
function momentumCell(metric: MomentumMetric, cell: MomentumCell, top: number): string {
  if (cell.kind === 'figure') {
    const size =
      metric === 'ram' && cell.entry.sizeClass ? ` <span class="why">${own(cell.entry.sizeClass)}</span>` : '';
    return `${own(fmtFigure(metric, cell.entry.value))}${size}`;
  }
  const marker =
    cell.kind === 'history' ? 'not enough history' : cell.kind === 'below' ? `not in the top ${top}` : 'no figure';
  return `<span class="no-figure"><span class="marker">${own(marker)}</span> <span class="why">${own(cell.why)}</span></span>`;
}

/** The picture above the table: the releases listed that have the figure, largest first. */
function momentumPicture(items: NormalisedRecord[], metric: MomentumMetric, momentum: SnapshotMomentum): string {
  const bars = items
    .flatMap((r) => {
      const entry = momentum.figure(metric, r.key)?.entry;
      return entry ? [{ label: r.id, value: entry.value, group: entry.sizeClass ?? 'none' }] : [];
    })
    .sort((a, b) => b.value - a.value)
    .map((b) => ({ ...b, valueLabel: fmtFigure(metric, b.value) }));
  const label = FIGURE_LABELS[metric];
  if (bars.length === 0)
    return `<p class="empty">No release listed has a ${own(label)} figure in the snapshot of ${own(momentum.date)}; the table says why for each.</p>`;
  const groups = momentum.block.method.classes
    .map((c) => ({ key: c.name, label: c.name }))
    .concat([{ key: 'none', label: 'no size class' }]);
  return valueBarsSvg({
    id: 'momentum-bars',
    title: `${label} of the releases listed`,
    desc: `${label} of the ${bars.length} releases listed with a figure in the snapshot of ${momentum.date}, largest first: ${bars
      .slice(0, 3)
      .map((b) => `${cleanText(b.label, 60)} ${b.valueLabel}`)
      .join(', ')}.`,
    groups,
    bars,
    marker:
      metric === 'ram'
        ? { value: 1, label: `RAM 1: the ${RAM_PEERS}th of its size class` }
        : { value: 0, label: '±0%: as many as in the 3 weeks before' },
  });
}

export function releasesBody(
  items: NormalisedRecord[],
  latest: string,
  f: ReleaseFilters,
  links: Links,
  momentum: SnapshotMomentum | null,
): string {
  const from = addDays(latest, -6);
  const order: ReleaseOrder = momentum ? (f.order ?? 'downloads') : 'downloads';
  const rows = items.map((r) => {
    const who = f.view === 'origin' ? r.origin : r.publisher;
    const url = safeUrl(r.url);
    const orgName = who.org;
    const row = [
      link(links.model(r.key), text(r.id, 100)),
      own(PLATFORM_LABELS[r.platform] ?? r.platform) +
        (url ? ` ${link(url, `<span class="sr-only">${text(r.id, 100)} on </span>page`, true)}` : ''),
      // Momentum next to the model, where it is seen without scrolling a wide table.
      ...(momentum
        ? (['ram', 'growth7d'] as const).map((metric) =>
            momentumCell(metric, momentum.cell(metric, r), momentum.block.top),
          )
        : []),
      orgName ? link(links.org(orgName), text(orgName)) : own('individual'),
      own(countryName(who.country)),
      own(r.license.class),
      own((r.releasedAt ?? '').slice(0, 10) || '–'),
      fmtInt(r.stats.downloads30d),
      fmtInt(r.stats.likes),
    ];
    return row;
  });
  const form =
    links.mode === 'server'
      ? filterForm(f, links, links.releases({ view: 'origin' })!.split('?')[0]!)
      : platformLinks(f, links);
  const columns: Column[] = [
    { head: 'Model' },
    { head: 'Platform' },
    ...(momentum ? [{ head: FIGURE_LABELS.ram }, { head: FIGURE_LABELS.growth7d }] : []),
    { head: 'Organisation' },
    { head: 'Country' },
    { head: 'Licence class' },
    { head: 'Released' },
    { head: '30-day downloads', num: true },
    { head: 'Likes', num: true },
  ];
  const listing = rows.length
    ? table(`Base releases ${from} to ${latest}, ${orderWords(order)} (${rows.length} shown)`, columns, rows)
    : '<p class="empty">No base release matches these filters this week.</p>';
  const head = `<h1>Releases: new base models, ${own(from)} to ${own(latest)}</h1>
<p class="lede">Original models released in the seven days up to the latest snapshot (fine-tunes, adapters, quantisations and merges are left out), by ${own(f.view)} country${momentum ? ', with how fast each one is being picked up' : ''}.</p>
${form}`;
  if (!momentum) {
    return `${head}
${notice(`The snapshot of ${own(latest)} has no momentum figures: it was written before momentum existed. <code>hubwatch snapshot --date ${own(latest)}</code> rebuilds it with them. Until then this list is ordered by 30-day downloads.`)}
${listing}`;
  }
  const metric: MomentumMetric = order === 'growth7d' ? 'growth7d' : 'ram';
  const dataLink = `<ul class="data-links"><li><a href="${attr(links.momentumJson())}">The snapshot's RAM list, all models (JSON)</a></li></ul>`;
  return `${head}
${orderLinks(f, links)}
${
  rows.length
    ? figure(
        'releases-momentum',
        `Momentum: ${FIGURE_LABELS[metric]}`,
        momentumPicture(items, metric, momentum),
        listing,
        momentumMethodLine(momentum),
        dataLink,
      )
    : listing
}`;
}
