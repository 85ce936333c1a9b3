// Races: who gains on whom over time. Families and organisations by 30-day downloads, licence classes, and the
// registry's kinds (big tech, AI start-ups, academic, …), each with its table and its method line.
import type { View } from '../../snapshot/types.js';
import { daysBetween, type Day } from '../data.js';
import { countryName, fmtCompact, fmtInt, fmtPct, kindLabel, own, text, VIEW_LABELS } from '../format.js';
import { figure, link, notice, optionGroup, table } from '../html.js';
import type { Links } from '../links.js';
import { lineChartSvg, stackedAreaSvg, type Series } from '../svg.js';

const TOP = 8;

function coverageWords(days: Day[]): string {
  const last = days[days.length - 1]!;
  const span = daysBetween(days[0]!.date, last.date) + 1;
  const cov = Object.values(last.coverage);
  return `Coverage ${last.date}: ${cov.filter((c) => c?.complete).length} of ${cov.length} platforms complete. Missing days: ${span - days.length} of ${span}.`;
}

/** Series of one figure per named row (family, organisation), for the rows leading on the last day. */
function rowsOverTime<R>(days: Day[], rowsOf: (d: Day) => R[], name: (r: R) => string, value: (r: R) => number): Series[] {
  const lead = rowsOf(days[days.length - 1]!)
    .slice(0, TOP)
    .map(name);
  return lead.map((n) => ({
    key: n,
    label: n,
    values: days.map((d) => {
      const r = rowsOf(d).find((x) => name(x) === n);
      return r === undefined ? null : value(r);
    }),
  }));
}

function sharesOver<R>(days: Day[], rowsOf: (d: Day) => R[], name: (r: R) => string, value: (r: R) => number, label: (k: string) => string): Series[] {
  const keys = new Set<string>();
  for (const d of days) for (const r of rowsOf(d)) keys.add(name(r));
  const last = rowsOf(days[days.length - 1]!);
  const order = [...keys].sort((a, b) => (value(last.find((r) => name(r) === b)!) ?? 0) - (value(last.find((r) => name(r) === a)!) ?? 0) || 0);
  return order.map((k) => ({
    key: k,
    label: label(k),
    values: days.map((d) => {
      const rows = rowsOf(d);
      const total = rows.reduce((s, r) => s + value(r), 0);
      if (total === 0) return null;
      const r = rows.find((x) => name(x) === k);
      return r ? value(r) / total : 0;
    }),
  }));
}

export function racesBody(days: Day[], view: View, links: Links): string {
  const last = days[days.length - 1]!;
  const dates = days.map((d) => d.date);
  const cov = coverageWords(days);
  const fam = rowsOverTime(days, (d) => d.families, (r) => r.family, (r) => r.downloads30d);
  const famSvg = lineChartSvg({ id: 'fam', title: 'Model families by 30-day downloads', desc: `Lines for the ${fam.length} leading families; on ${last.date}: ${last.families.slice(0, 3).map((f) => `${f.family} ${fmtCompact(f.downloads30d)}`).join(', ')}.`, dates, series: fam, format: fmtCompact });
  const famTable = table(
    `Families on ${last.date}`,
    [{ head: 'Family' }, { head: '30-day downloads', num: true }, { head: 'Models', num: true }, { head: 'Derivatives', num: true }, { head: 'New derivatives', num: true }],
    last.families.slice(0, 12).map((f) => [text(f.family), fmtInt(f.downloads30d), fmtInt(f.models), fmtInt(f.derivatives), fmtInt(f.newDerivatives)]),
  );
  const orgRows = (d: Day) => d.orgs[view];
  const org = rowsOverTime(days, orgRows, (r) => r.org, (r) => r.downloads30d);
  const orgSvg = lineChartSvg({ id: 'org', title: `Organisations by 30-day downloads (${view} view)`, desc: `Lines for the ${org.length} leading organisations.`, dates, series: org, format: fmtCompact });
  const orgTable = table(
    `Organisations on ${last.date} (${view} view)`,
    [{ head: 'Organisation' }, { head: 'Country' }, { head: 'Kind' }, { head: '30-day downloads', num: true }, { head: 'Models', num: true }, { head: 'New releases', num: true }],
    last.orgs[view].slice(0, 15).map((o) => [link(links.org(o.org), text(o.org)), own(countryName(o.country)), own(kindLabel(o.kind)), fmtInt(o.downloads30d), fmtInt(o.models), fmtInt(o.newReleases)]),
  );
  const kinds = sharesOver(days, (d) => d.kinds[view], (r) => r.kind, (r) => r.downloads30d, kindLabel);
  const kindSvg = stackedAreaSvg({ id: 'kind', title: `Share of 30-day downloads by kind of organisation (${view} view)`, desc: `Stacked areas: ${last.kinds[view].map((k) => `${kindLabel(k.kind)} ${fmtPct(k.share)}`).join(', ')} on ${last.date}.`, dates, series: kinds });
  const kindTable = table(
    `Kinds on ${last.date}`,
    [{ head: 'Kind' }, { head: 'Share', num: true }, { head: '30-day downloads', num: true }, { head: 'Models', num: true }],
    last.kinds[view].map((k) => [own(kindLabel(k.kind)), fmtPct(k.share), fmtInt(k.downloads30d), fmtInt(k.models)]),
  );
  const lic = sharesOver(days, (d) => d.licenseClasses, (r) => r.key, (r) => r.downloads30d, (k) => k);
  const licSvg = stackedAreaSvg({ id: 'lic', title: 'Share of 30-day downloads by licence class', desc: `Stacked areas per licence class; on ${last.date}: ${last.licenseClasses.slice(0, 3).map((l) => l.key).join(', ')} lead.`, dates, series: lic });
  const licTotal = last.licenseClasses.reduce((s, l) => s + l.downloads30d, 0);
  const licTable = table(
    `Licence classes on ${last.date}`,
    [{ head: 'Class' }, { head: 'Share', num: true }, { head: '30-day downloads', num: true }, { head: 'Models', num: true }, { head: 'New releases', num: true }],
    last.licenseClasses.map((l) => [own(l.key), licTotal ? fmtPct(l.downloads30d / licTotal) : '–', fmtInt(l.downloads30d), fmtInt(l.models), fmtInt(l.newReleases)]),
  );
  const views = optionGroup('r-view', 'View', (['origin', 'publisher'] as const).map((v) => ({ label: VIEW_LABELS[v], href: links.races(v), current: v === view })));
  return `<h1>Races: families, organisations, licences and kinds (${own(view)} view)</h1>
<p class="lede">Who gains on whom, day by day, all platforms combined. Lines are labelled at their right end and drawn with distinct dash patterns.</p>
<nav class="controls" aria-label="Chart options">${views}</nav>
${figure('families', 'Model families', famSvg, famTable, `Families: the lineage root's family (Qwen, Llama, …), whichever view. Window: 30-day downloads, all platforms with the figure. ${cov}`)}
${figure('orgs', 'Organisations', orgSvg, orgTable, `The ${TOP} organisations leading on the last day; a gap means the organisation was outside the snapshot's top 50 that day. ${cov}`)}
${figure('kinds', 'Big tech, AI start-ups, academia', kindSvg, kindTable, `Kinds from the organisation registry; uploaders it does not know are individuals. ${cov}`)}
${figure('licences', 'Licence classes', licSvg, licTable, `Licence class of each model's licence (SPDX id or LicenseRef), all models. ${cov}`)}
${notice('Licence classes <em>by country</em> are not in the daily snapshot yet; this chart shows the classes across all countries.')}`;
}
