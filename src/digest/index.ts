// The weekly digest: built from the snapshots and the store, rendered to Markdown and HTML, served and exported.
export { buildDigest, type DigestDeps, TREND_WEEKS, NOTABLE_PER_KIND } from './build.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export {
  writeDigest,
  exportDigests,
  buildDigestFeed,
  listDigestWeeks,
  digestsDir,
  digestPath,
  DIGEST_FORMATS,
  type DigestFormat,
  type JsonFeed,
  type WrittenDigest,
} from './files.js';
export { digestRoutes, type DigestRouteOptions } from './routes.js';
export {
  parseIsoWeek,
  lastFullWeek,
  addWeeks,
  isoWeekOf,
  weeksEndingWith,
  isValidIsoWeek,
  type IsoWeek,
} from './isoweek.js';
export { sanitizeSvg, escapeMarkdown, escapeHtml } from './escape.js';
export * from './types.js';
