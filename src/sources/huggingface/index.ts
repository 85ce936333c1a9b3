// The Hugging Face source: @huggingface/hub's `listModels` and `modelInfo`, pointed at `hubUrl` from config, with an
// injected fetch that goes through our HttpClient (one undici Agent, pacing from RateLimit headers, retries, 429
// handling, counters). We do not write a second client: the library builds the URLs, follows the `Link` header and
// ends the walk. What it cannot express is done in the injected fetch, and only there:
//
// - Page size. `listModels` asks for `limit=min(limit, 500)`; the Hub (and the simulator) serve up to 1000, and a
//   sweep at 1000 needs half the requests of the rate-limit budget. The first URL's `limit` is set to
//   `pageSize` from config; later URLs come from the server's `Link`, which carries our limit on.
// - Field selection. The library always sends its own `expand` set (pipeline_tag, private, gated, downloads, likes,
//   lastModified) plus `additionalFields`, whose types reject `gguf`. Every page URL's expand parameters (the
//   first one's and each one taken from `Link`) are replaced by the list field set, HF_LIST_EXPAND (schema.ts), in
//   the documented `expand[]=` form, whether or not the server's Link repeats them. Lists refuse `baseModels`,
//   `childrenModelCount` and `usedStorage` (research/hf.md §0.2), so only the detail route asks for `baseModels`.
// - A refused field. If the Hub answers 400 naming one of our list fields, that field is dropped for the rest of
//   this source's life, a warning says what it costs (HF_EXPAND_COST), and the same page is asked for again: one
//   refused field never loses a sweep. The runner notes it in the day's coverage and in /healthz (refusedFields).
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
// - Walk order. Polls and the daily sweep both walk by `createdAt`, which never changes: the Hub's pagination is
//   keyset on (sort value, `_id`), so a walk by downloads skips a model whose count moves past the cursor while the
//   walk runs (counters land in batches, often mid-sweep; research/hf.md §7). Models created during the walk sit
//   before its start and are caught by the next poll; docs/method.md says so.
// - Deletion checks go through the library itself (`modelInfo`, fed real answers): it builds the detail URL, reads
//   the real body and maps a non-2xx answer to HubApiError, whose status says gone (401/404) or not.
// - Errors. The library turns any non-2xx into HubApiError; the wrapper raises our own errors first
//   (RateLimitedError, PermanentHttpError, PageFailedError), so the runner sees one taxonomy on every platform.
import { HubApiError, listModels, modelInfo } from '@huggingface/hub';
import { Response } from 'undici';
import { InputError, PermanentHttpError, errorMessage } from '../../errors.js';
import { capString } from '../../model.js';
import { sightItem } from '../../normalise/record.js';
import { scanItems, type ScannedItem } from '../raw-items.js';
import type { QuarantineItem } from '../../store/types.js';
import {
  BadBodyError,
  createHttpClient,
  parseJsonBody,
  type HttpResult,
  redactUrl,
  type HttpClient,
  type SourceOptions,
} from '../http.js';
import { toQuarantine } from '../validate.js';
import type { DeferredItems, GoneCheck, ListOptions, Source, SourcePage } from '../types.js';
import {
  HF_DETAIL_EXPAND,
  HF_EXPAND_COST,
  HF_LIST_EXPAND,
  HF_SIGHT_MEMBERS,
  checkHfModel,
  describeIncomplete,
  hfCreatedAt,
  hfObjectId,
  isHfSighting,
  refusedExpandValues,
  type HfModelInput,
} from './schema.js';
import { huggingfaceProfile, normaliseHuggingFace } from './record.js';

export type HfSort = 'createdAt' | 'lastModified' | 'downloads';

export interface HuggingFaceSource extends Source<HfModelInput> {
  readonly platform: 'huggingface';
  readonly http: HttpClient;
  /** One model by id (`org/name`), with the same fields as the listings; PermanentHttpError when it is not there. */
  fetchModel(id: string, opts?: { signal?: AbortSignal; revision?: string }): Promise<HfModelInput>;
}

export type HuggingFaceSourceOptions = SourceOptions;

/**
 * A list page parsed once, or (for a sweep that skips unchanged models) split into its items' bytes unparsed, or
 * the text of a 400 answer (a refused field, handled by the walk).
 */
type ListBody = { items: unknown[] } | { bytes: Buffer; scanned: ScannedItem[] } | { refused: string };

/** The error text of a 400 answer (the Hub's JSON `{"error": …}`), or the body as it came. */
function errorText(body: string): string {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === 'object' && v !== null) {
      for (const k of ['error', 'message']) {
        const m = (v as Record<string, unknown>)[k];
        if (typeof m === 'string') return m;
      }
    }
  } catch {
    // not JSON: the body itself
  }
  return body;
}

function parseList(text: string): { items: unknown[] } {
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
  const http = createHttpClient(
    huggingfaceProfile,
    { config, logger: log, rateLimitMode: opts.rateLimitMode },
    { ...opts.http },
  );
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

  /** The list fields asked for now: HF_LIST_EXPAND less any the Hub refused during this source's life. */
  let listFields: string[] = [...HF_LIST_EXPAND];
  const refused = new Map<string, string>();

  function withFields(u: URL, fields: readonly string[]): void {
    u.searchParams.delete('expand');
    u.searchParams.delete('expand[]');
    for (const f of fields) u.searchParams.append('expand[]', f);
  }

  /** A list URL (the library's first, a cursor, a Link target) rebased onto hubUrl with our page size and fields. */
  function pageUrl(url: string, what: string): string {
    const u = new URL(rebaseListUrl(url, what));
    u.searchParams.set('limit', String(pageSize));
    withFields(u, listFields);
    return u.toString();
  }

  function nextFrom(link: string | null, requestUrl: string): string | null {
    if (!link) return null;
    for (const part of link.split(/,(?=\s*<)/)) {
      const m = LINK_NEXT.exec(part);
      if (m) return pageUrl(new URL(m[1]!, requestUrl).toString(), 'Link header');
    }
    return null;
  }

  /** Drops the fields a 400 names; false when it names none of ours (then the answer is an error to report). */
  function dropRefused(body: string, url: string): boolean {
    const names = refusedExpandValues(errorText(body), listFields);
    if (names.length === 0) return false;
    for (const f of names) {
      const cost = HF_EXPAND_COST[f] ?? 'unknown';
      refused.set(f, cost);
      log.warn(
        { field: f, cost, url: redactUrl(url) },
        `the Hub refused expand[]=${f} on lists; hubwatch goes on without it (cost: ${cost}). Run \`hubwatch probe --platform huggingface\` to see what else changed.`,
      );
    }
    listFields = listFields.filter((f) => !names.includes(f));
    return true;
  }

  const quarantineItem = (raw: unknown, reason: string, ref: string): QuarantineItem =>
    toQuarantine(platform, 'item', raw, `invalid item: ${reason}`, ref, now());

  function toPage(
    raw: { items: unknown[] } | { bytes: Buffer; scanned: ScannedItem[] },
    url: string,
    next: string | null,
    seed: string | undefined,
  ): SourcePage<HfModelInput> {
    if ('scanned' in raw)
      return { items: [], quarantine: [], next, url, deferred: deferredItems(raw.bytes, raw.scanned, url, seed!) };
    const items: HfModelInput[] = [];
    const quarantine: QuarantineItem[] = [];
    let incomplete = 0;
    let firstIncomplete: string | null = null;
    for (let i = 0; i < raw.items.length; i++) {
      const r = checkHfModel(raw.items[i]);
      if (!r.ok) {
        quarantine.push(quarantineItem(raw.items[i], `#${i}: ${r.reason}`, url));
        continue;
      }
      items.push(r.item);
      if (r.incomplete.length > 0) {
        incomplete++;
        firstIncomplete ??= `#${i}: ${describeIncomplete(r.item)}`;
      }
    }
    if (quarantine.length > 0) {
      log.warn({ url, quarantined: quarantine.length, first: quarantine[0]!.reason }, 'items quarantined');
    }
    if (incomplete > 0)
      log.warn({ url, incomplete, first: firstIncomplete }, 'items read with missing fields (null in their records)');
    return { items, quarantine, next, url, incomplete };
  }

  /**
   * A sweep page's items left as bytes: each sighted from the members HF_SIGHT_MEMBERS names, and decoded, parsed
   * and validated only when read. An item whose sighting matches the stored fingerprint is never read: its text
   * minus the figures is byte for byte one that parsed and validated before, and the figures are checked here.
   */
  function deferredItems(
    bytes: Buffer,
    scanned: ScannedItem[],
    url: string,
    seed: string,
  ): DeferredItems<HfModelInput> {
    const sightings = scanned.map((s) =>
      isHfSighting(s.values) ? sightItem(huggingfaceProfile, s.values, seed, s.fingerprint) : null,
    );
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
        if (r.ok) return { item: r.item, fingerprint: s.fingerprint, incomplete: r.incomplete.length > 0 };
        return { quarantine: quarantineItem(parsed, `#${i}: ${r.reason}`, url) };
      },
    };
  }

  async function* list(sort: HfSort, o: ListOptions = {}, readAhead = false): AsyncGenerator<SourcePage<HfModelInput>> {
    const start = o.cursor ? pageUrl(o.cursor, 'cursor') : null;
    // A sweep always walks to the last page, so it asks for the next page as soon as a response's Link names it
    // and reads this body meanwhile: the platform prepares one page while we take the other apart. Polls stop
    // part way (at the watermark) and would waste a request of the rate-limit budget on a page never read.
    const stop = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
    /** The page asked for ahead of the library: at most one, the one after the page it is reading. */
    let ahead: PageFetch | null = null;
    let first = true;
    let captured: SourcePage<HfModelInput> | null = null;

    const seed = o.fingerprintSeed;
    const startFetch = (url: string): PageFetch => {
      const f: PageFetch = {
        url,
        taken: false,
        next: undefined,
        res: null as unknown as Promise<HttpResult<ListBody>>,
      };
      f.res = http.send<ListBody>(url, {
        signal,
        what: 'page',
        headers: { accept: 'application/json' },
        passStatuses: [400],
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
              parseBytes: (bytes: Buffer, head): ListBody => {
                if (head.status === 400) return { refused: bytes.toString('utf8') };
                const scanned = scanItems(bytes, huggingfaceProfile.volatileFields, HF_SIGHT_MEMBERS, seed);
                return scanned ? { bytes, scanned } : parseList(bytes.toString('utf8'));
              },
            }
          : { parse: (text: string, head): ListBody => (head.status === 400 ? { refused: text } : parseList(text)) }),
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
        url = start ?? pageUrl(url, 'first page');
      } else {
        url = pageUrl(url, 'Link header');
      }
      let f = ahead?.url === url ? ahead : startFetch(url);
      if (f === ahead) ahead = null;
      // The page the library reads: the one after it is asked for as soon as its Link is known.
      f.taken = true;
      askAhead(f.next);
      let res = await f.res;
      while ('refused' in res.body) {
        if (!dropRefused(res.body.refused, url)) {
          throw new PermanentHttpError(
            `huggingface answered HTTP 400 for page ${res.url}: ${capString(res.body.refused.trim(), 300)}. ` +
              'Run `hubwatch probe --platform huggingface` to see what the Hub refuses today.',
            400,
          );
        }
        url = pageUrl(url, 'page');
        f = startFetch(url);
        f.taken = true;
        res = await f.res;
      }
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
      withFields(u, HF_DETAIL_EXPAND);
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

  /** One model's state on the Hub, asked through @huggingface/hub's modelInfo fed the real answer. */
  async function checkGone(id: string, signal: AbortSignal | undefined): Promise<GoneCheck> {
    const detailFetch = async (input: unknown): Promise<Response> => {
      const u = new URL(typeof input === 'string' ? input : String((input as { url?: unknown }).url ?? input));
      u.pathname = u.pathname.replace(/\/revision\/HEAD$/, '');
      const url = `${hubUrl}${u.pathname.slice(u.pathname.indexOf('/api/models/'))}${u.search}`;
      // Redirects are followed (a renamed repo's old id redirects to its new one).
      const res = await http.send<string>(url, {
        signal,
        what: 'model',
        passStatuses: [401, 403, 404, 410],
        parse: (t) => t,
      });
      return new Response(res.body, { status: res.status, headers: { 'content-type': 'application/json' } });
    };
    try {
      const entry = await modelInfo({ name: id, hubUrl, fetch: detailFetch as unknown as typeof fetch });
      return entry.name && entry.name !== id ? { state: 'renamed', to: entry.name } : { state: 'present' };
    } catch (err) {
      // An anonymous request for a missing or private repo is answered 401, not 404 (research/hf.md §1.2, §7).
      if (err instanceof HubApiError && [401, 404, 410].includes(err.statusCode))
        return { state: 'gone', detail: `HTTP ${err.statusCode}` };
      // 403: it exists but this token may not see it (gated repos keep public metadata, so this is rare).
      if (err instanceof HubApiError && err.statusCode === 403) return { state: 'present', detail: 'HTTP 403' };
      if (signal?.aborted) throw err;
      return { state: 'unknown', detail: errorMessage(err) };
    }
  }

  async function confirmGone(
    ids: readonly string[],
    o: { signal?: AbortSignal } = {},
  ): Promise<Map<string, GoneCheck>> {
    const out = new Map<string, GoneCheck>();
    for (const id of ids) out.set(id, await checkGone(id, o.signal));
    return out;
  }

  return {
    platform,
    http,
    counters: http.counters,
    listNewest: (o) => list('createdAt', o),
    listRecentlyModified: (o) => list('lastModified', o),
    sweep: (o) => list('createdAt', o, true),
    fetchModel,
    confirmGone,
    objectId: hfObjectId,
    refusedFields: () => [...refused].map(([field, cost]) => ({ field, cost })),
    orderTime: hfCreatedAt,
    normalise: (item, ctx) => normaliseHuggingFace(item, ctx),
    sight: (item, seed, fingerprint) => sightItem(huggingfaceProfile, item, seed, fingerprint),
    close: () => http.close(),
  };
}
