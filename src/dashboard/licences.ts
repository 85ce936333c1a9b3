// Licence classes by country, from the latest snapshot's block: the table a Races state selects, and the whole
// block as CSV and JSON (every metric, scope, view and platform) for the figure's data links.
import { csvTable } from '../feed/text.js';
import { LICENSE_CLASSES, PLATFORMS } from '../model.js';
import { LICENSE_COUNTRY_METRICS, SCOPES, VIEWS, type LicenseCountryTable } from '../snapshot/types.js';
import type { Day } from './data.js';
import type { RacesState } from './state.js';

/** The table a state selects on a day; null where the snapshot has no block or the platform no figure. */
export function licenceTableOf(day: Day, s: RacesState): LicenseCountryTable | null {
  const vs = day.licenseByCountry?.metrics?.[s.licMetric]?.scopes?.[s.licScope]?.[s.view];
  if (!vs) return null;
  return (s.licPlatform === 'combined' ? vs.combined : vs.platforms?.[s.licPlatform]) ?? null;
}

const CSV_HEADER = [
  'date',
  'metric',
  'scope',
  'view',
  'platform',
  'country',
  'countries',
  'class',
  'value',
  'share',
] as const;

export function licencesCsv(days: Day[]): string {
  const last = days[days.length - 1];
  const rows: Array<Array<string | number | null>> = [];
  const b = last?.licenseByCountry;
  if (last && b) {
    for (const metric of LICENSE_COUNTRY_METRICS)
      for (const scope of SCOPES)
        for (const view of VIEWS)
          for (const platform of ['combined', ...PLATFORMS] as const) {
            const t = licenceTableOf(last, { view, licMetric: metric, licScope: scope, licPlatform: platform });
            for (const r of t?.rows ?? [])
              for (const c of r.classes)
                rows.push([
                  last.date,
                  metric,
                  scope,
                  view,
                  platform,
                  r.country,
                  r.countries,
                  c.class,
                  c.value,
                  c.share,
                ]);
          }
  }
  return csvTable(CSV_HEADER, rows);
}

export function licencesJson(days: Day[]): string {
  const last = days[days.length - 1];
  return JSON.stringify({
    date: last?.date ?? null,
    classes: LICENSE_CLASSES,
    licenseByCountry: last?.licenseByCountry ?? null,
  });
}
