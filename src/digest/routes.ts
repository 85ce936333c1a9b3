// The digests over HTTP, as routes of the feed's table (src/feed/routes.ts): the JSON Feed of digests and each
// digest's files. Being in the table gives them what every read has: parameters validated by their schema (a bad
// one is a 400 naming it), an ETag and 304, Cache-Control, compression, and their place in /openapi.json. Files are
// served as written, with headers that keep a browser from running anything in them.
import { readFile } from 'node:fs/promises';
import { badParam, notFound } from '../feed/errors.js';
import type { OkContent } from '../feed/openapi.js';
import type { RouteContext, RouteDef } from '../feed/routes.js';
import { emptyQuery, type ObjectSchema } from '../feed/schemas.js';
import {
  CONTENT_TYPES,
  FEED_CONTENT_TYPE,
  buildDigestFeed,
  digestPath,
  parseDigestFileName,
  type DigestFormat,
} from './files.js';
import { isValidIsoWeek } from './isoweek.js';
import { DIGEST_SCHEMA } from './types.js';

export interface DigestRouteOptions {
  dataDir: string;
  /** How long a rendered answer is served before the files are read again (a digest can be rebuilt any time). */
  ttlMs: number;
}

// The HTML and SVG are static documents: nothing in them may run or load, whatever a platform string contained.
const LOCKDOWN = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";
const CACHE_CONTROL = 'public, max-age=300';

const FILE_PATTERN = '^\\d{4}-W(0[1-9]|[1-4]\\d|5[0-3])\\.(json|md|html|country-shares\\.svg|origin-split\\.svg)$';

export const digestFileParams: ObjectSchema = {
  type: 'object',
  properties: {
    file: {
      type: 'string',
      maxLength: 40,
      pattern: FILE_PATTERN,
      description:
        'an ISO week and a format: YYYY-Www.md, .html, .json, .country-shares.svg or .origin-split.svg, e.g. 2026-W48.html',
    },
  },
  required: ['file'],
  additionalProperties: false,
};

const text = (contentType: string, description: string): OkContent => ({
  contentType,
  schema: { type: 'string' },
  description,
});

const digestFileOk: OkContent[] = [
  {
    contentType: 'application/json',
    schema: {
      type: 'object',
      required: ['schema', 'week'],
      properties: { schema: { const: DIGEST_SCHEMA }, week: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' } },
    },
    description: `The digest as data (\`${DIGEST_SCHEMA}\`), the source of the other forms.`,
  },
  text('text/markdown', 'The digest in Markdown.'),
  text('text/html', 'The digest as one HTML page for e-mail (no script; a Content-Security-Policy that allows none).'),
  text('image/svg+xml', 'A chart of the digest (`country-shares` or `origin-split`).'),
];

const digestFeedOk: OkContent[] = [
  {
    contentType: 'application/feed+json',
    schema: {
      type: 'object',
      required: ['version', 'title', 'feed_url', 'items'],
      properties: {
        version: { const: 'https://jsonfeed.org/version/1.1' },
        title: { type: 'string' },
        feed_url: { type: 'string' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'url', 'title', 'date_published'],
            properties: {
              id: { type: 'string' },
              url: { type: 'string' },
              title: { type: 'string' },
              date_published: { type: 'string' },
            },
          },
        },
      },
    },
    description: 'JSON Feed 1.1: one item per digest, newest first, linking its HTML, Markdown and JSON.',
  },
];

function headersFor(format: DigestFormat): Record<string, string> {
  const isDocument = format === 'html' || format.endsWith('.svg');
  return isDocument
    ? { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': LOCKDOWN }
    : { 'X-Content-Type-Options': 'nosniff' };
}

export function digestRoutes(opts: DigestRouteOptions): RouteDef[] {
  const { dataDir, ttlMs } = opts;
  return [
    {
      operationId: 'getDigestFeed',
      url: '/digests/feed.json',
      path: '/digests/feed.json',
      summary: 'Weekly digests (JSON Feed)',
      description: 'Every weekly digest built so far, newest first.',
      tag: 'digests',
      query: emptyQuery,
      ok: digestFeedOk,
      notFound: false,
      plan: (ctx: RouteContext) => ({
        key: `digests:feed|${ctx.base}`,
        ttlMs,
        async render() {
          const feed = await buildDigestFeed(dataDir, `${ctx.base}/digests/`);
          return {
            body: JSON.stringify(feed),
            contentType: FEED_CONTENT_TYPE,
            cacheControl: CACHE_CONTROL,
            headers: { 'X-Content-Type-Options': 'nosniff' },
          };
        },
      }),
    },
    {
      operationId: 'getDigestFile',
      url: '/digests/:file',
      path: '/digests/{file}',
      summary: 'One weekly digest',
      description: 'A digest as written by `hubwatch digest`: JSON, Markdown, HTML, or one of its charts as SVG.',
      tag: 'digests',
      query: emptyQuery,
      params: digestFileParams,
      ok: digestFileOk,
      notFound: true,
      plan: (ctx: RouteContext) => {
        // The schema has checked the shape; what is left is whether the week exists in the ISO calendar.
        const parsed = parseDigestFileName(ctx.params.file!);
        if (!parsed || !isValidIsoWeek(parsed.week)) {
          throw badParam(
            'file',
            `Malformed week in ${ctx.params.file}: that ISO week does not exist (YYYY-Www, e.g. 2026-W48).`,
          );
        }
        const { week, format } = parsed;
        return {
          key: `digests:${week}.${format}`,
          ttlMs,
          async render() {
            let body: Buffer;
            try {
              body = await readFile(digestPath(dataDir, week, format));
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
                throw notFound(
                  `No digest for ${week}. Build it with: hubwatch digest --week ${week}; the list is /digests/feed.json.`,
                );
              }
              throw err;
            }
            return {
              body,
              contentType: CONTENT_TYPES[format],
              cacheControl: CACHE_CONTROL,
              headers: headersFor(format),
            };
          },
        };
      },
    },
  ];
}
