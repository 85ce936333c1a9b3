// How a rendered answer is labelled: its content type and how long a client or proxy may keep it. Shared by every
// route (models, snapshots, history, momentum) so the same kind of answer is cached alike everywhere.
import type { Rendered } from './cache.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const FEED_TYPE = 'application/feed+json; charset=utf-8';
export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';
export const CSV_TYPE = 'text/csv; charset=utf-8';

export const CACHE = {
  live: 'public, max-age=60',
  day: 'public, max-age=3600',
  model: 'public, max-age=300',
} as const;

export function jsonAnswer(value: unknown, cacheControl: string): Rendered {
  return { body: JSON.stringify(value), contentType: JSON_TYPE, cacheControl };
}
