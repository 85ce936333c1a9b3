// The dashboard as static files under <dataDir>/public/ (beside the feed's export), so any static host can serve
// it: index.html is the default overview, each other state is its own file, and the data behind every chart is
// written next to it. Runs after every snapshot (src/exports.ts) and from the bench.
import { join } from 'node:path';
import { writeFileAtomic } from '../fsutil.js';
import { FeedService } from '../feed/service.js';
import { PLATFORMS } from '../model.js';
import type { ReadStore } from '../store/types.js';
import { assetFiles, ASSET_NAMES } from './assets.js';
import { listOf, SnapshotDays } from './data.js';
import { badgeFile, chartFile } from './embed.js';
import { staticFiles, staticLinks, type StaticSets } from './links.js';
import { weekReleases } from './pages/releases.js';
import { modelPage, orgPage, overviewPage, racesPage, releasesPage, type PageContext } from './render.js';
import { licencesCsv, licencesJson } from './licences.js';
import { SnapshotMomentum } from './momentum.js';
import { allOverviewStates, allRacesStates, DASH_METRICS, RELEASE_ORDERS, type ReleaseFilters } from './state.js';

export interface DashboardExportOptions {
  store: ReadStore;
  dataDir: string;
  /** Organisation pages written (the leaders of the latest day, both views). */
  orgs?: number;
}

export async function exportDashboard(opts: DashboardExportOptions): Promise<string[]> {
  const out = join(opts.dataDir, 'public');
  const written: string[] = [];
  const write = async (rel: string, body: string | Buffer): Promise<void> => {
    const path = join(out, rel);
    await writeFileAtomic(path, body);
    written.push(path);
  };
  const days = await new SnapshotDays(opts.dataDir).days('export');
  const last = days[days.length - 1];
  const svc = new FeedService({ store: opts.store, dataDir: opts.dataDir, defaultLimit: 50 });

  // Which organisation, model and badge files exist decides which links are live, so they are chosen first.
  const sets: StaticSets = { orgs: new Set(), models: new Set(), badges: new Set() };
  const momentum = SnapshotMomentum.latest(days);
  // Every platform's list in every order (each order lists its own 60 when there are more); orders by momentum only
  // when the latest snapshot has it.
  const releaseFilters: ReleaseFilters[] = [];
  for (const platform of [undefined, ...PLATFORMS])
    for (const order of momentum ? RELEASE_ORDERS : (['downloads'] as const))
      releaseFilters.push({
        view: 'origin',
        ...(platform ? { platform } : {}),
        ...(order === 'downloads' ? {} : { order }),
      });
  if (last) {
    for (const view of ['origin', 'publisher'] as const)
      for (const o of last.orgs[view].slice(0, opts.orgs ?? 20)) sets.orgs.add(o.org);
    for (const f of releaseFilters) {
      for (const r of await weekReleases(opts.store, last.date, f, momentum)) sets.models.add(r.key);
    }
    for (const metric of DASH_METRICS)
      for (const scope of ['all', 'llm'] as const) {
        const s = { metric, scope, view: 'origin' as const, platform: 'combined' as const };
        for (const e of (listOf(last, s)?.shares ?? []).filter((x) => x.country !== 'ZZ').slice(0, 3))
          sets.badges.add(staticFiles.badge(s, e.country));
      }
  }
  const links = staticLinks(sets);
  const ctx: PageContext = { days, links };

  const assets = assetFiles();
  for (const name of ASSET_NAMES) await write(staticFiles.asset(name), assets[name].body);
  for (const s of allOverviewStates()) {
    await write(staticFiles.overview(s), overviewPage(ctx, s));
    await write(staticFiles.chartSvg(s), chartFile(days, s));
    const q = { metric: s.metric, view: s.view, scope: s.scope, platform: s.platform };
    await write(staticFiles.sharesJson(s), (await svc.renderShares(q, 'json')).body);
    await write(staticFiles.sharesCsv(s), (await svc.renderShares(q, 'csv')).body);
    if (last)
      for (const e of listOf(last, s)?.shares ?? [])
        if (sets.badges.has(staticFiles.badge(s, e.country)))
          await write(staticFiles.badge(s, e.country), badgeFile(days, s, e.country));
  }
  for (const s of allRacesStates()) await write(staticFiles.racesState(s), racesPage(ctx, s));
  await write(staticFiles.licencesCsv(), licencesCsv(days));
  await write(staticFiles.licencesJson(), licencesJson(days));
  for (const f of releaseFilters) await write(staticFiles.releases(f)!, await releasesPage(ctx, opts.store, f));
  for (const name of sets.orgs) {
    const page = await orgPage(ctx, opts.store, name, 'origin', (v) => (v === 'origin' ? staticFiles.org(name) : null));
    if (page) await write(staticFiles.org(name), page);
  }
  for (const key of sets.models) {
    const page = await modelPage(ctx, opts.store, key);
    if (page) await write(staticFiles.model(key), page);
  }
  return written;
}
