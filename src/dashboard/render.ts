// Whole pages: a page body inside the shell. The plugin (live) and the static export both call these.
import { cleanText } from '../digest/escape.js';
import type { View } from '../snapshot/types.js';
import type { ReadStore } from '../store/types.js';
import type { Day } from './data.js';
import { lineageChain, modelBody, orgBody, orgKnown } from './pages/entity.js';
import { racesBody } from './pages/races.js';
import { releasesBody, weekReleases } from './pages/releases.js';
import { own } from './format.js';
import { layout } from './html.js';
import type { Links } from './links.js';
import { SnapshotMomentum } from './momentum.js';
import { overviewBody, overviewTitle } from './pages/overview.js';
import type { OverviewState, RacesState, ReleaseFilters } from './state.js';

export interface PageContext {
  days: Day[];
  links: Links;
}

export function latestDate(days: Day[]): string | null {
  return days[days.length - 1]?.date ?? null;
}

export function overviewPage(ctx: PageContext, s: OverviewState): string {
  return layout({
    title: overviewTitle(s),
    section: 'overview',
    links: ctx.links,
    latest: latestDate(ctx.days),
    body: ctx.days.length
      ? overviewBody(ctx.days, s, ctx.links)
      : `<h1>No snapshot yet</h1><p>The dashboard draws from the daily snapshots; the first is written after the first daily sweep (hubwatch run --once).</p>`,
  });
}

export function errorPage(links: Links, status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Something went wrong';
  return layout({
    title,
    section: 'entity',
    links,
    latest: null,
    body: `<h1>${own(title)}</h1><p>${own(message)}</p><p><a href="${own(links.overview({ metric: 'downloads30d', view: 'origin', scope: 'all', platform: 'combined' }))}">Back to the overview</a></p>`,
  });
}

export function racesPage(ctx: PageContext, s: RacesState): string {
  return layout({
    title: `Races (${s.view} view)`,
    section: 'races',
    links: ctx.links,
    latest: latestDate(ctx.days),
    body: ctx.days.length ? racesBody(ctx.days, s, ctx.links) : '<h1>Races</h1><p>No snapshot yet.</p>',
  });
}

export async function releasesPage(ctx: PageContext, store: ReadStore, f: ReleaseFilters): Promise<string> {
  const latest = latestDate(ctx.days);
  const momentum = SnapshotMomentum.latest(ctx.days);
  const body = latest
    ? releasesBody(await weekReleases(store, latest, f, momentum), latest, f, ctx.links, momentum)
    : '<h1>Releases</h1><p>No snapshot yet.</p>';
  return layout({ title: 'Releases', section: 'releases', links: ctx.links, latest, body });
}

/** null when neither a snapshot nor the store knows the organisation (a 404). */
export async function orgPage(
  ctx: PageContext,
  store: ReadStore,
  name: string,
  view: View,
  viewHref: (v: View) => string | null,
): Promise<string | null> {
  const models = (await store.listModels({ org: name, view, limit: 50 })).items;
  if (!models.length && !orgKnown(ctx.days, name)) return null;
  return layout({
    title: `Organisation ${cleanText(name, 80)}`,
    section: 'entity',
    links: ctx.links,
    latest: latestDate(ctx.days),
    body: orgBody(ctx.days, name, view, models, ctx.links, viewHref),
  });
}

export async function modelPage(ctx: PageContext, store: ReadStore, key: string): Promise<string | null> {
  const m = await store.getModel(key);
  if (!m) return null;
  const [history, chain, derivatives] = await Promise.all([
    store.statsHistory(key),
    lineageChain(store, m),
    store.derivativeCounts(m.key),
  ]);
  return layout({
    title: `Model ${cleanText(m.id, 80)}`,
    section: 'entity',
    links: ctx.links,
    latest: latestDate(ctx.days),
    body: modelBody(m, history, chain, derivatives, ctx.links, SnapshotMomentum.latest(ctx.days)),
  });
}
