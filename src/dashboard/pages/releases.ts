// Releases: the week's new base models (originals, not fine-tunes or quantisations), with links to the platform,
// filterable by country, organisation, licence class and platform. Momentum (how fast each one is being picked up)
// needs per-model history the history issue builds; until then the page says so rather than guessing.
import { LICENSE_CLASSES, PLATFORMS, type NormalisedRecord } from '../../model.js';
import { PLATFORM_LABELS } from '../../sources/registry.js';
import type { ReadStore } from '../../store/types.js';
import { addDays } from '../data.js';
import { attr, fmtInt, own, safeUrl, text, VIEW_LABELS } from '../format.js';
import { countryName } from '../../normalise/countries.js';
import { link, notice, optionGroup, table } from '../html.js';
import type { Links } from '../links.js';
import type { ReleaseFilters } from '../state.js';

export const RELEASES_SHOWN = 60;

/** The week's base releases matching the filters, most downloaded first. */
export async function weekReleases(store: ReadStore, latest: string, f: ReleaseFilters): Promise<NormalisedRecord[]> {
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
  return page.items
    .sort(
      (a, b) =>
        (b.stats.downloads30d ?? -1) - (a.stats.downloads30d ?? -1) ||
        (b.releasedAt ?? '').localeCompare(a.releasedAt ?? ''),
    )
    .slice(0, RELEASES_SHOWN);
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
<button type="submit">Apply</button>
</form>`;
}

/** The static export has no query strings: the platform links are files, the other filters need the server. */
function platformLinks(f: ReleaseFilters, links: Links): string {
  const choices = [{ label: 'all platforms', href: links.releases({ view: 'origin' }), current: !f.platform }].concat(
    PLATFORMS.map((p) => ({
      label: PLATFORM_LABELS[p] ?? p,
      href: links.releases({ view: 'origin', platform: p }),
      current: f.platform === p,
    })),
  );
  return `<nav class="controls" aria-label="Filter releases">${optionGroup('rel-platform', 'Platform', choices)}</nav>`;
}

export function releasesBody(items: NormalisedRecord[], latest: string, f: ReleaseFilters, links: Links): string {
  const from = addDays(latest, -6);
  const rows = items.map((r) => {
    const who = f.view === 'origin' ? r.origin : r.publisher;
    const url = safeUrl(r.url);
    const orgName = who.org;
    return [
      link(links.model(r.key), text(r.id, 100)),
      own(PLATFORM_LABELS[r.platform] ?? r.platform) +
        (url ? ` ${link(url, `<span class="sr-only">${text(r.id, 100)} on </span>page`, true)}` : ''),
      orgName ? link(links.org(orgName), text(orgName)) : own('individual'),
      own(countryName(who.country)),
      own(r.license.class),
      own((r.releasedAt ?? '').slice(0, 10) || '–'),
      fmtInt(r.stats.downloads30d),
      fmtInt(r.stats.likes),
    ];
  });
  const form =
    links.mode === 'server'
      ? filterForm(f, links, links.releases({ view: 'origin' })!.split('?')[0]!)
      : platformLinks(f, links);
  const listing = rows.length
    ? table(
        `Base releases ${from} to ${latest}, most downloaded first (${rows.length} shown)`,
        [
          { head: 'Model' },
          { head: 'Platform' },
          { head: 'Organisation' },
          { head: 'Country' },
          { head: 'Licence class' },
          { head: 'Released' },
          { head: '30-day downloads', num: true },
          { head: 'Likes', num: true },
        ],
        rows,
      )
    : '<p class="empty">No base release matches these filters this week.</p>';
  return `<h1>Releases: new base models, ${own(from)} to ${own(latest)}</h1>
<p class="lede">Original models released in the seven days up to the latest snapshot (fine-tunes, adapters, quantisations and merges are left out), by ${own(f.view)} country.</p>
${form}
${notice('Momentum figures (downloads gained per day since release, against others of the same size) are not yet available: they need the per-model history that the history issue builds. Until then this list is ordered by 30-day downloads.')}
${listing}`;
}
