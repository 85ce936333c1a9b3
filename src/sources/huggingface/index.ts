// The Hugging Face source: @huggingface/hub's `listModels` and `modelInfo`, pointed at `hubUrl` from config, with an
// injected fetch that goes through our HttpClient (one undici Agent, pacing from RateLimit headers, retries, 429
// handling, counters). We do not write a second client: the library builds the URLs, follows the `Link` header and
// ends the walk. What it cannot express is done in the injected fetch, and only there:
//
// - Page size. `listModels` asks for `limit=min(limit, 500)`; the Hub (and the simulator) serve up to 1000, and a
//   sweep at 1000 needs half the requests of the rate-limit budget. The first URL's `limit` is set to
//   `pageSize` from config; later URLs come from the server's `Link`, which carries our limit on.
// - Field selection. The library always sends its own `expand` set (pipeline_tag, private, gated, downloads, likes,
//   lastModified) plus `additionalFields`, whose types reject `baseModels` and `gguf`. The first URL's expand
//   parameters are replaced by HF_EXPAND (schema.ts), sent in the documented `expand[]=` form.
// - Resuming. `listModels` always starts at `/api/models?…`; resuming a sweep means starting at a stored cursor
//   (the absolute next-page URL). The first request is sent to the cursor instead, rebased onto `hubUrl`.
// - Raw items. The library yields its reshaped `ModelEntry` (`id` is `_id`, fields it does not know dropped) and
//   parses the body itself. We need the raw items to validate them one by one and to quarantine the bad ones with
//   their payload, and parsing a 1000-item body twice would cost as much as everything else. So the wrapper reads
//   and parses the body once, validates it into a SourcePage, and hands the library a one-element stand-in body
//   with the (absolute) `Link` header: the library then yields exactly one entry per page, which marks the page
//   boundary, and goes on following `Link` as before.
// - Errors. The library turns any non-2xx into HubApiError; the wrapper raises our own errors first
//   (RateLimitedError, PermanentHttpError, PageFailedError), so the runner sees one taxonomy on every platform.
import { listModels, modelInfo } from '@huggingface/hub';
import { Response } from 'undici';
import type { Config } from '../../config.js';
import { InputError, PermanentHttpError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { capString } from '../../model.js';
import type { HfModelInput } from '../../normalise/inputs.js';
import { VOLATILE_FIELDS, normaliseHuggingFace, sight } from '../../normalise/record.js';
import { rawItemFingerprints } from '../raw-items.js';
import type { QuarantineItem } from '../../store/types.js';
import {
  BadBodyError,
  createHttpClient,
  parseJsonBody,
  redactUrl,
  type HttpClient,
  type HttpClientOptions,
} from '../http.js';
import { toQuarantine } from '../validate.js';
import type { ListOptions, RateLimitMode, Source, SourcePage } from '../types.js';
import { HF_EXPAND, checkHfModel } from './schema.js';

export type HfSort = 'createdAt' | 'lastModified' | 'downloads';

export interface HuggingFaceSource extends Source<HfModelInput> {
  readonly platform: 'huggingface';
  readonly http: HttpClient;
  /** One model by id (`org/name`), with the same fields as the listings; PermanentHttpError when it is not there. */
  fetchModel(id: string, opts?: { signal?: AbortSignal; revision?: string }): Promise<HfModelInput>;
}

export interface HuggingFaceSourceOptions {
  config: Config;
  logger: Logger;
  rateLimitMode: RateLimitMode;
  /** Test hooks for the HTTP layer (reset margin, jitter, keep-alive). */
  http?: Partial<Pick<HttpClientOptions, 'resetMarginMs' | 'random' | 'keepAliveTimeoutMs' | 'maxConsecutive429'>>;
  /** Clock for quarantine times. */
  now?: () => Date;
}

/** A list page parsed once: the items, and their fingerprints when asked for and the text could be split. */
interface ListBody {
  items: unknown[];
  fingerprints: string[] | null;
}

/** The one-element body handed to @huggingface/hub per page (see the file comment). */
const STAND_IN_PAGE = '[{}]';
const STAND_IN_MODEL = '{}';
const LINK_NEXT = /<([^>]+)>\s*;\s*rel="?next"?/i;

export function createHuggingFaceSource(opts: HuggingFaceSourceOptions): HuggingFaceSource {
  const { config } = opts;
  const platform = 'huggingface' as const;
  const log = opts.logger.child({ source: platform });
  // undici's `request`, not its fetch: the library only ever sees the stand-in Response built below, so the real
  // exchange can skip the WHATWG stream layer, which showed in sweep profiles (body reassembly and decoding).
  const http = createHttpClient(platform, { config, logger: log, rateLimitMode: opts.rateLimitMode }, { ...opts.http });
  const hubUrl = config.urls.huggingface;
  const pageSize = config.file.sources.huggingface.pageSize;
  const now = opts.now ?? (() => new Date());
  const listBase = `${hubUrl}/api/models`;

  /** A cursor or Link URL rebased onto hubUrl (so a token never leaves it), or an InputError for a foreign one. */
  function rebaseListUrl(url: string, what: string): string {
    let u: URL;
    try {
      u = new URL(url, listBase);
    } catch {
      throw new InputError(`huggingface: ${what} is not a URL: ${capString(url, 200)}`);
    }
    if (!u.pathname.endsWith('/api/models')) {
      throw new InputError(`huggingface: ${what} is not a /api/models URL: ${redactUrl(capString(u.toString(), 200))}`);
    }
    return `${listBase}${u.search}`;
  }

  function withOurFields(u: URL): void {
    u.searchParams.delete('expand');
    u.searchParams.delete('expand[]');
    for (const f of HF_EXPAND) u.searchParams.append('expand[]', f);
  }

  function firstPageUrl(libraryUrl: string): string {
    const u = new URL(libraryUrl);
    u.searchParams.set('limit', String(pageSize));
    withOurFields(u);
    return u.toString();
  }

  function nextFrom(link: string | null, requestUrl: string): string | null {
    if (!link) return null;
    for (const part of link.split(/,(?=\s*<)/)) {
      const m = LINK_NEXT.exec(part);
      if (m) return rebaseListUrl(new URL(m[1]!, requestUrl).toString(), 'Link header');
    }
    return null;
  }

  const quarantineItem = (raw: unknown, reason: string, ref: string): QuarantineItem =>
    toQuarantine(platform, 'item', raw, `invalid item: ${reason}`, ref, now());

  function toPage(raw: ListBody, url: string, next: string | null): SourcePage<HfModelInput> {
    const items: HfModelInput[] = [];
    const fingerprints: Array<string | null> = [];
    const quarantine: QuarantineItem[] = [];
    for (let i = 0; i < raw.items.length; i++) {
      const r = checkHfModel(raw.items[i]);
      if (r.ok) {
        items.push(r.item);
        fingerprints.push(raw.fingerprints?.[i] ?? null);
      } else quarantine.push(quarantineItem(raw.items[i], `#${i}: ${r.reason}`, url));
    }
    if (quarantine.length > 0) {
      log.warn({ url, quarantined: quarantine.length, first: quarantine[0]!.reason }, 'items quarantined');
    }
    return { items, quarantine, next, url, ...(raw.fingerprints ? { fingerprints } : {}) };
  }

  async function* list(sort: HfSort, o: ListOptions = {}): AsyncGenerator<SourcePage<HfModelInput>> {
    const signal = o.signal;
    const start = o.cursor ? rebaseListUrl(o.cursor, 'cursor') : null;
    let first = true;
    let captured: SourcePage<HfModelInput> | null = null;

    const pageFetch = async (input: unknown): Promise<Response> => {
      let url = typeof input === 'string' ? input : String((input as { url?: unknown }).url ?? input);
      if (first) {
        first = false;
        url = start ?? firstPageUrl(url);
      } else {
        url = rebaseListUrl(url, 'Link header');
      }
      const res = await http.send<ListBody>(url, {
        signal,
        what: 'page',
        headers: { accept: 'application/json' },
        parse: (text) => {
          const body = parseJsonBody(text);
          if (!Array.isArray(body)) throw new BadBodyError('list body is not a JSON array');
          const seed = o.fingerprintSeed;
          const fingerprints = seed ? rawItemFingerprints(text, VOLATILE_FIELDS.huggingface, body.length, seed) : null;
          return { items: body, fingerprints };
        },
      });
      const next = nextFrom(res.headers.get('link'), url);
      captured = toPage(res.body, res.url, next);
      log.debug({ url: res.url, items: captured.items.length, next: next !== null }, 'page');
      return new Response(STAND_IN_PAGE, {
        status: 200,
        headers: next ? { 'content-type': 'application/json', link: `<${next}>; rel="next"` } : {},
      });
    };

    for await (const _ of listModels({ hubUrl, sort, fetch: pageFetch as unknown as typeof fetch })) {
      const page: SourcePage<HfModelInput> | null = captured;
      captured = null;
      if (!page) throw new Error('huggingface: page boundary without a page (library behaviour changed?)');
      http.counters.pages++;
      yield page;
      signal?.throwIfAborted();
    }
  }

  async function fetchModel(id: string, o: { signal?: AbortSignal; revision?: string } = {}): Promise<HfModelInput> {
    let item: HfModelInput | null = null;
    const detailFetch = async (input: unknown): Promise<Response> => {
      const u = new URL(typeof input === 'string' ? input : String((input as { url?: unknown }).url ?? input));
      // The Hub serves /api/models/{id} as HEAD; the library always adds /revision/HEAD.
      if (!o.revision) u.pathname = u.pathname.replace(/\/revision\/HEAD$/, '');
      withOurFields(u);
      const url = `${hubUrl}${u.pathname.slice(u.pathname.indexOf('/api/models/'))}${u.search}`;
      const res = await http.json(url, { signal: o.signal, what: 'model' });
      const r = checkHfModel(res.body);
      if (!r.ok) throw new PermanentHttpError(`huggingface: invalid model payload at ${res.url}: ${r.reason}`, 200);
      item = r.item;
      return new Response(STAND_IN_MODEL, { status: 200 });
    };
    await modelInfo({
      name: id,
      hubUrl,
      fetch: detailFetch as unknown as typeof fetch,
      ...(o.revision ? { revision: o.revision } : {}),
    });
    if (!item) throw new Error('huggingface: model fetched without a payload (library behaviour changed?)');
    return item;
  }

  return {
    platform,
    http,
    counters: http.counters,
    listNewest: (o) => list('createdAt', o),
    listRecentlyModified: (o) => list('lastModified', o),
    sweep: (o) => list('downloads', o),
    fetchModel,
    orderTime: (item) => item.createdAt ?? null,
    normalise: (item, ctx) => normaliseHuggingFace(item, ctx),
    sight: (item, seed, fingerprint) => sight(platform, item, seed, fingerprint),
    close: () => http.close(),
  };
}
