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
//   boundary, and goes on following `Link` as before. A sweep given a fingerprint seed does not parse the body at
//   all: it scans the bytes (raw-items.ts) and defers each item until the runner reads it (SourcePage.deferred).
// - Reading ahead. The library asks for page N+1 only after it has yielded page N; a sweep asks for it as soon as
//   page N's response head carries the Link, and hands it over when the library asks (one page ahead at most).
// - Errors. The library turns any non-2xx into HubApiError; the wrapper raises our own errors first
//   (RateLimitedError, PermanentHttpError, PageFailedError), so the runner sees one taxonomy on every platform.
import { listModels, modelInfo } from '@huggingface/hub';
import { Response } from 'undici';
import type { Config } from '../../config.js';
import { InputError, PermanentHttpError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { capString } from '../../model.js';
import type { HfModelInput } from '../../normalise/inputs.js';
import { VOLATILE_FIELDS, normaliseHuggingFace, sight } from '../../normalise/record.js';
import { scanItems, type ScannedItem } from '../raw-items.js';
import type { QuarantineItem } from '../../store/types.js';
import {
  BadBodyError,
  createHttpClient,
  parseJsonBody,
  type HttpResult,
  redactUrl,
  type HttpClient,
  type HttpClientOptions,
} from '../http.js';
import { toQuarantine } from '../validate.js';
import type { DeferredItems, ListOptions, RateLimitMode, Source, SourcePage } from '../types.js';
import { HF_EXPAND, HF_SIGHT_MEMBERS, checkHfModel, isHfSighting } from './schema.js';

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

/** A list page parsed once, or (for a sweep that skips unchanged models) split into its items' bytes unparsed. */
type ListBody = { items: unknown[] } | { bytes: Buffer; scanned: ScannedItem[] };

function parseList(text: string): ListBody {
  const body = parseJsonBody(text);
  if (!Array.isArray(body)) throw new BadBodyError('list body is not a JSON array');
  return { items: body };
}

/** One list page being fetched; `next` is its Link target once a response head has said it. */
interface PageFetch {
  url: string;
  res: Promise<HttpResult<ListBody>>;
  /** The library is reading this page (so the page after it may be asked for). */
  taken: boolean;
  next: string | null | undefined;
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

  function toPage(raw: ListBody, url: string, next: string | null, seed: string | undefined): SourcePage<HfModelInput> {
    if ('scanned' in raw) return { items: [], quarantine: [], next, url, deferred: deferredItems(raw.bytes, raw.scanned, url, seed!) };
    const items: HfModelInput[] = [];
    const quarantine: QuarantineItem[] = [];
    for (let i = 0; i < raw.items.length; i++) {
      const r = checkHfModel(raw.items[i]);
      if (r.ok) items.push(r.item);
      else quarantine.push(quarantineItem(raw.items[i], `#${i}: ${r.reason}`, url));
    }
    if (quarantine.length > 0) {
      log.warn({ url, quarantined: quarantine.length, first: quarantine[0]!.reason }, 'items quarantined');
    }
    return { items, quarantine, next, url };
  }

  /**
   * A sweep page's items left as bytes: each sighted from the members HF_SIGHT_MEMBERS names, and decoded, parsed
   * and validated only when read. An item whose sighting matches the stored fingerprint is never read: its text
   * minus the figures is byte for byte one that parsed and validated before, and the figures are checked here.
   */
  function deferredItems(bytes: Buffer, scanned: ScannedItem[], url: string, seed: string): DeferredItems<HfModelInput> {
    const sightings = scanned.map((s) => (isHfSighting(s.values) ? sight(platform, s.values, seed, s.fingerprint) : null));
    return {
      sightings,
      read(i) {
        const s = scanned[i]!;
        const itemText = bytes.toString('utf8', s.start, s.end);
        let parsed: unknown;
        try {
          parsed = JSON.parse(itemText);
        } catch (err) {
          return { quarantine: quarantineItem(itemText, `#${i}: not valid JSON (${errorMessage(err)})`, url) };
        }
        const r = checkHfModel(parsed);
        if (r.ok) return { item: r.item, fingerprint: s.fingerprint };
        return { quarantine: quarantineItem(parsed, `#${i}: ${r.reason}`, url) };
      },
    };
  }

  async function* list(sort: HfSort, o: ListOptions = {}): AsyncGenerator<SourcePage<HfModelInput>> {
    const start = o.cursor ? rebaseListUrl(o.cursor, 'cursor') : null;
    // A sweep always walks to the last page, so it asks for the next page as soon as a response's Link names it
    // and reads this body meanwhile: the platform prepares one page while we take the other apart. Polls stop
    // part way (at the watermark) and would waste a request of the rate-limit budget on a page never read.
    const readAhead = sort === 'downloads';
    const stop = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
    /** The page asked for ahead of the library: at most one, the one after the page it is reading. */
    let ahead: PageFetch | null = null;
    let first = true;
    let captured: SourcePage<HfModelInput> | null = null;

    const seed = o.fingerprintSeed;
    const startFetch = (url: string): PageFetch => {
      const f: PageFetch = { url, taken: false, next: undefined, res: null as unknown as Promise<HttpResult<ListBody>> };
      f.res = http.send<ListBody>(url, {
        signal,
        what: 'page',
        headers: { accept: 'application/json' },
        ...(readAhead
          ? {
              onHeaders: (head) => {
                if (head.status < 200 || head.status >= 300) return;
                try {
                  f.next = nextFrom(head.headers.get('link'), url);
                } catch {
                  return; // a foreign Link: the page's own handling below says so
                }
                if (f.taken) askAhead(f.next);
              },
            }
          : {}),
        ...(seed
          ? {
              parseBytes: (bytes: Buffer): ListBody => {
                const scanned = scanItems(bytes, VOLATILE_FIELDS.huggingface, HF_SIGHT_MEMBERS, seed);
                return scanned ? { bytes, scanned } : parseList(bytes.toString('utf8'));
              },
            }
          : { parse: parseList }),
      });
      return f;
    };

    function askAhead(next: string | null | undefined): void {
      if (!next || ahead?.url === next) return;
      ahead = startFetch(next);
      ahead.res.catch(() => {}); // taken (and thrown) when the library asks for this page; dropped when it never does
    }

    const pageFetch = async (input: unknown): Promise<Response> => {
      let url = typeof input === 'string' ? input : String((input as { url?: unknown }).url ?? input);
      if (first) {
        first = false;
        url = start ?? firstPageUrl(url);
      } else {
        url = rebaseListUrl(url, 'Link header');
      }
      const f = ahead?.url === url ? ahead : startFetch(url);
      if (f === ahead) ahead = null;
      // The page the library reads: the one after it is asked for as soon as its Link is known.
      f.taken = true;
      askAhead(f.next);
      const res = await f.res;
      const next = nextFrom(res.headers.get('link'), url);
      captured = toPage(res.body, res.url, next, o.fingerprintSeed);
      log.debug({ url: res.url, items: captured.items.length, next: next !== null }, 'page');
      return new Response(STAND_IN_PAGE, {
        status: 200,
        headers: next ? { 'content-type': 'application/json', link: `<${next}>; rel="next"` } : {},
      });
    };

    try {
      for await (const _ of listModels({ hubUrl, sort, fetch: pageFetch as unknown as typeof fetch })) {
        const page: SourcePage<HfModelInput> | null = captured;
        captured = null;
        if (!page) throw new Error('huggingface: page boundary without a page (library behaviour changed?)');
        http.counters.pages++;
        yield page;
        o.signal?.throwIfAborted();
      }
    } finally {
      stop.abort(new Error('listing closed')); // a page asked for ahead and never read is not waited for
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
