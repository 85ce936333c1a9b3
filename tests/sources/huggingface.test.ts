import { once } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError, PageFailedError, PermanentHttpError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { loadReferenceData } from '../../src/reference-data.js';
import { sight } from '../../src/sources/registry.js';
import { createHuggingFaceSource, type HuggingFaceSource } from '../../src/sources/huggingface/index.js';
import {
  HF_DETAIL_EXPAND,
  HF_LIST_EXPAND,
  HfModelSchema,
  refusedExpandValues,
  checkHfModel,
  isHfModel,
} from '../../src/sources/huggingface/schema.js';
import type { SourcePage } from '../../src/sources/types.js';
import type { HfModelInput } from '../../src/sources/huggingface/schema.js';
import { collect, fakeServer, fixture, sendJson, testConfig, type FakeServer } from './helpers.js';
import { applyEdits, fieldEdits } from './field-edits.js';

const realList = JSON.parse(fixture('huggingface/list-models-default.burncloud-2025-11.json')) as Array<
  Record<string, unknown>
>;
const realDetail = JSON.parse(fixture('huggingface/model-info-default.ggml-org_gemma-3-1b-it-GGUF.json')) as Record<
  string,
  unknown
>;

/** A real default-shape item with what our expand[] adds (downloadsAllTime, lastModified, author). */
function expanded(item: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const id = String(item.id);
  return {
    ...item,
    author: id.split('/')[0],
    lastModified: item.lastModified ?? item.createdAt,
    downloadsAllTime: (item.downloads as number) * 10,
    ...extra,
  };
}

function catalogue(n: number): Array<Record<string, unknown>> {
  const base = expanded(realList[0]!);
  return Array.from({ length: n }, (_, i) => ({
    ...base,
    _id: `id${String(i).padStart(6, '0')}`,
    id: `org${i % 37}/model-${i}`,
    author: `org${i % 37}`,
    downloads: n - i,
    downloadsAllTime: (n - i) * 10,
  }));
}

const servers: FakeServer[] = [];
const sources: HuggingFaceSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface FakeHubOptions {
  items: Array<Record<string, unknown>>;
  /** Absolute (default) or relative Link, or a Link on another origin. */
  link?: 'absolute' | 'relative' | 'foreign';
  /** The next-page Link leaves out the expand parameters (the Hub's Link need not repeat them). */
  bareLink?: boolean;
  onList?: (url: URL, n: number) => { status: number; body?: unknown } | null;
}

/** A fake Hub: /api/models with limit and an opaque offset cursor in an absolute Link, and /api/models/{id}. */
async function fakeHub(o: FakeHubOptions): Promise<FakeServer> {
  const s = await fakeServer((req, res, n) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/api/models') {
      const forced = o.onList?.(url, n);
      if (forced) return sendJson(res, forced.status, forced.body ?? {});
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
      const cursor = url.searchParams.get('cursor');
      const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
      const page = o.items.slice(offset, offset + limit);
      const headers: Record<string, string> = {};
      if (offset + limit < o.items.length) {
        const next = new URL(url);
        next.searchParams.set('cursor', Buffer.from(String(offset + limit)).toString('base64url'));
        if (o.bareLink) for (const k of ['expand', 'expand[]']) next.searchParams.delete(k);
        const rel = `${next.pathname}${next.search}`;
        headers.Link =
          o.link === 'relative'
            ? `<${rel}>; rel="next"`
            : o.link === 'foreign'
              ? `<https://huggingface.co${rel}>; rel="next"`
              : `<${s.url}${rel}>; rel="next"`;
      }
      return sendJson(res, 200, page, headers);
    }
    const m = /^\/api\/models\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const item = o.items.find((it) => it.id === `${m[1]}/${m[2]}`);
      return item ? sendJson(res, 200, item) : sendJson(res, 404, { error: 'Repository not found' });
    }
    sendJson(res, 404, { error: 'no route' });
  });
  servers.push(s);
  return s;
}

function source(url: string, sourceOverrides: Record<string, unknown> = {}, mode: 'wait' | 'throw' = 'wait') {
  const src = createHuggingFaceSource({
    config: testConfig({ huggingface: url }, { huggingface: sourceOverrides }),
    logger: silentLogger,
    rateLimitMode: mode,
    http: { keepAliveTimeoutMs: 50, resetMarginMs: 20 },
  });
  sources.push(src);
  return src;
}

describe('Hugging Face schema', () => {
  it('accepts the real detail payload once the expanded fields are there', () => {
    const r = checkHfModel(expanded(realDetail));
    expect(r.ok).toBe(true);
    expect(HfModelSchema.safeParse(expanded(realDetail)).success).toBe(true);
  });

  it('reads the real default list items as incomplete: downloadsAllTime was not asked for', () => {
    for (const item of realList) {
      const r = checkHfModel(item);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.incomplete).toEqual(['downloadsAllTime']);
    }
    for (const item of realList) expect(checkHfModel(expanded(item))).toMatchObject({ ok: true, incomplete: [] });
  });

  it('reads nulls and wrong types where values are promised as incomplete items, naming the field; only an id is required', () => {
    const good = expanded(realList[0]!);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, downloads: null }, 'downloads'],
      [{ ...good, likes: '578' }, 'likes'],
      [{ ...good, tags: 'a,b' }, 'tags'],
      [{ ...good, tags: ['ok', 3] }, 'tags'],
      [{ ...good, createdAt: 'yesterday' }, 'createdAt'],
      [{ ...good, createdAt: undefined }, 'createdAt'],
      [{ ...good, cardData: [] }, 'cardData'],
      [{ ...good, safetensors: { total: -1 } }, 'safetensors'],
      [{ ...good, downloads: 1.5 }, 'downloads'],
      [{ ...good, _id: 12345 }, '_id'],
    ];
    for (const [item, field] of cases) {
      const r = checkHfModel(item);
      expect(r.ok, field).toBe(true);
      if (r.ok) expect(r.incomplete, field).toEqual([field]);
    }
    for (const bad of [{ ...good, id: 42 }, { ...good, id: '  ' }, { ...good, id: undefined }, 'text', null]) {
      const r = checkHfModel(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/id|object/);
    }
    expect(checkHfModel({ ...good, pipeline_tag: null, cardData: null, gguf: null })).toMatchObject({
      ok: true,
      incomplete: [],
    });
  });

  it('reads which expand values a 400 refuses, and nothing from a 400 about another parameter', () => {
    const ours = [...HF_LIST_EXPAND];
    const allowedWithout = (drop: string[]) =>
      ours
        .filter((f) => !drop.includes(f))
        .map((f) => `"${f}"`)
        .join(', ');
    expect(refusedExpandValues(`"expand" must be one of [${allowedWithout(['gguf'])}] (got "gguf")`, ours)).toEqual([
      'gguf',
    ]);
    // Two refused, one named: the list says the other.
    expect(
      refusedExpandValues(`"expand" must be one of [${allowedWithout(['gguf', 'likes'])}] (got "likes")`, ours).sort(),
    ).toEqual(['gguf', 'likes']);
    expect(refusedExpandValues('Invalid expand value, got: safetensors', ours)).toEqual(['safetensors']);
    expect(
      refusedExpandValues('"sort" must be one of ["createdAt", "downloads", "likes"] (got "trending")', ours),
    ).toEqual([]);
    expect(refusedExpandValues('Invalid cursor', ours)).toEqual([]);
  });

  it('fast structural check and zod agree on arbitrary items', () => {
    const good = expanded(realDetail);
    const edits = fieldEdits(
      [...Object.keys(HfModelSchema.shape), 'extra'],
      fc.constant('2025-11-04T08:25:31.000Z'),
      fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.constant(null))),
      fc.record({ total: fc.oneof(fc.integer({ min: -3, max: 100 }), fc.constant(null), fc.string()) }),
    );
    fc.assert(
      fc.property(edits, (e) => {
        const item = applyEdits(good, e);
        expect(isHfModel(item)).toBe(HfModelSchema.safeParse(item).success);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Hugging Face source against a fake Hub', () => {
  it('sweeps by createdAt in pages of pageSize through @huggingface/hub, following Link, each model once', async () => {
    const items = catalogue(2500);
    const hub = await fakeHub({ items });
    const src = source(hub.url, { pageSize: 1000 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([1000, 1000, 500]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(2500);
    expect(ids).toEqual(items.map((i) => i.id));
    expect(pages[2]!.next).toBeNull();
    expect(pages[0]!.next).toMatch(new RegExp(`^${hub.url}/api/models\\?.*cursor=`));
    expect(pages[0]!.url).toBe(hub.requests[0] && `${hub.url}${hub.requests[0].url}`);
    const first = new URL(hub.requests[0]!.url, hub.url);
    expect(first.searchParams.get('sort')).toBe('createdAt');
    expect(first.searchParams.get('limit')).toBe('1000');
    expect(first.searchParams.getAll('expand[]')).toEqual([...HF_LIST_EXPAND]);
    expect(first.searchParams.getAll('expand')).toEqual([]);
    expect(src.counters).toMatchObject({ requests: 3, pages: 3, http429: 0, errors: 0 });
  });

  it('asks every page for its field set, when the Link leaves the fields out', async () => {
    const hub = await fakeHub({ items: catalogue(25), bareLink: true });
    const src = source(hub.url, { pageSize: 10 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
    expect(hub.requests).toHaveLength(3);
    for (const r of hub.requests)
      expect(new URL(r.url, hub.url).searchParams.getAll('expand[]')).toEqual([...HF_LIST_EXPAND]);
  });

  it('orders the newest listing by createdAt and the recently-modified pass by lastModified', async () => {
    const hub = await fakeHub({ items: catalogue(3) });
    const src = source(hub.url);
    await collect(src.listNewest());
    await collect(src.listRecentlyModified!());
    expect(hub.requests.map((r) => new URL(r.url, hub.url).searchParams.get('sort'))).toEqual([
      'createdAt',
      'lastModified',
    ]);
    expect(src.orderTime(expanded(realList[0]!) as never)).toBe('2025-11-04T08:25:31.000Z');
  });

  it('resumes from a page cursor exactly after that page', async () => {
    const items = catalogue(2100);
    const hub = await fakeHub({ items });
    const src = source(hub.url, { pageSize: 700 });
    const it = src.sweep()[Symbol.asyncIterator]();
    const p1 = (await it.next()).value!;
    await it.return?.(undefined);
    const rest = await collect(src.sweep({ cursor: p1.next }));
    expect(rest.map((p) => p.items.length)).toEqual([700, 700]);
    expect(rest[0]!.items[0]!.id).toBe(items[700]!.id);
    expect([...p1.items, ...rest.flatMap((p) => p.items)].map((i) => i.id)).toEqual(items.map((i) => i.id));
  });

  it('resolves a relative Link and rebases a foreign one onto hubUrl', async () => {
    for (const link of ['relative', 'foreign'] as const) {
      const hub = await fakeHub({ items: catalogue(25), link });
      const src = source(hub.url, { pageSize: 10 });
      const pages = await collect(src.sweep());
      expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
      expect(pages[0]!.next!.startsWith(`${hub.url}/api/models?`)).toBe(true);
    }
  });

  it('refuses a cursor that is not a /api/models URL', async () => {
    const hub = await fakeHub({ items: catalogue(3) });
    const src = source(hub.url);
    await expect(collect(src.sweep({ cursor: 'https://evil.example/steal' }))).rejects.toBeInstanceOf(InputError);
    expect(hub.requests).toHaveLength(0);
  });

  it('reads items with missing fields as incomplete, quarantines only unreadable ones with reason, capped payload and page URL', async () => {
    const items = catalogue(30);
    items[3] = { ...items[3]!, downloads: null };
    items[7] = { ...items[7]!, tags: 'oops', cardData: { long: 'x'.repeat(50_000) } };
    items[8] = 'not an object' as never;
    items[9] = { ...items[9]!, id: undefined, cardData: { long: 'x'.repeat(50_000) } };
    const hub = await fakeHub({ items });
    const src = source(hub.url, { pageSize: 20 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([18, 10]);
    expect(pages.map((p) => p.incomplete)).toEqual([2, 0]);
    const q = pages[0]!.quarantine;
    expect(q.map((x) => x.reason)).toEqual([
      expect.stringMatching(/#8: expected an object/),
      expect.stringMatching(/#9: id: missing/),
    ]);
    expect(q.every((x) => x.platform === 'huggingface' && x.kind === 'item' && x.ref === pages[0]!.url)).toBe(true);
    expect(q[1]!.payload.length).toBeLessThanOrEqual(16_000);
    expect(Date.parse(q[0]!.at)).not.toBeNaN();
  });

  it('retries a 5xx burst and ends with PageFailedError when a page keeps failing', async () => {
    const items = catalogue(30);
    const hub = await fakeHub({
      items,
      onList: (url, n) => {
        if (n === 1 || n === 2) return { status: 503 }; // page 2 fails twice, then passes
        if (url.searchParams.get('cursor') === Buffer.from('20').toString('base64url')) return { status: 500 };
        return null;
      },
    });
    const src = source(hub.url, { pageSize: 10, maxRetries: 2 });
    const pages: number[] = [];
    const err = await (async () => {
      for await (const p of src.sweep()) pages.push(p.items.length);
    })().catch((e: unknown) => e);
    expect(pages).toEqual([10, 10]);
    expect(err).toBeInstanceOf(PageFailedError);
    expect(src.counters).toMatchObject({ pages: 2, errors: 5 });
  });

  it('fetches one model with the same fields, without /revision/HEAD, and 404 is permanent', async () => {
    const items = [expanded(realDetail)];
    const hub = await fakeHub({ items });
    const src = source(hub.url);
    const m = await src.fetchModel('ggml-org/gemma-3-1b-it-GGUF');
    expect(m.id).toBe('ggml-org/gemma-3-1b-it-GGUF');
    expect(m.gguf?.total).toBe(999885952);
    const u = new URL(hub.requests[0]!.url, hub.url);
    expect(u.pathname).toBe('/api/models/ggml-org/gemma-3-1b-it-GGUF');
    expect(u.searchParams.getAll('expand[]')).toEqual([...HF_DETAIL_EXPAND]);
    await expect(src.fetchModel('nobody/nothing')).rejects.toBeInstanceOf(PermanentHttpError);
  });

  it('normalises through normaliseHuggingFace', async () => {
    const hub = await fakeHub({ items: [expanded(realDetail)] });
    const src = source(hub.url);
    const [page] = await collect(src.sweep());
    const rec = src.normalise(page!.items[0]!, {
      ...loadReferenceData(),
      now: '2026-11-25T00:00:00.000Z',
      backfill: false,
    });
    expect(rec.key).toBe('huggingface:ggml-org/gemma-3-1b-it-GGUF');
    expect(rec.stats.downloadsAllTime).toBe(1863250);
    expect(rec.lineage.relation).toBe('quantized');
  });

  it('with a fingerprint seed, defers the items: sighted from their text, parsed and validated only when read', async () => {
    const items = catalogue(30);
    items[3] = { ...items[3]!, downloads: null }; // a figure that is not a count: no sighting, quarantined when read
    items[5] = { ...items[5]!, tags: 'oops' }; // sighted (figures fine), quarantined when read
    const hub = await fakeHub({ items });
    const eager = await collect(source(hub.url, { pageSize: 20 }).sweep());
    const pages = await collect(source(hub.url, { pageSize: 20 }).sweep({ fingerprintSeed: 'seed' }));
    expect(pages.map((p) => [p.items.length, p.quarantine.length, p.deferred?.sightings.length])).toEqual([
      [0, 0, 20],
      [0, 0, 10],
    ]);
    const sightings = pages.flatMap((p) => p.deferred!.sightings);
    expect(sightings[3]).toBeNull();
    const reads = pages.flatMap((p) => p.deferred!.sightings.map((_, i) => p.deferred!.read(i)));
    const read = reads.flatMap((r) => ('item' in r ? [r.item] : []));
    // Exactly the items, and the quarantine, of the eager path.
    expect(read).toEqual(eager.flatMap((p) => p.items));
    const quarantined = reads.flatMap((r) => ('quarantine' in r ? [r.quarantine] : []));
    expect(quarantined.map((q) => q.reason)).toEqual(eager.flatMap((p) => p.quarantine.map((q) => q.reason)));
    expect(quarantined.every((q) => q.ref === pages[0]!.url && q.kind === 'item')).toBe(true);
    // A sighting is what sight() says of the parsed item, with the fingerprint of its text.
    reads.forEach((r, i) => {
      if (!('item' in r) || sightings[i] === null) return;
      expect(sightings[i]).toEqual(sight('huggingface', r.item, 'seed', r.fingerprint));
    });
    expect(sightings.filter((x) => x !== null)).toHaveLength(29);
  });

  it('quarantines a deferred item whose text is not JSON, and parses a body the scan cannot split whole', async () => {
    const good = JSON.stringify(catalogue(2));
    const badItem = good.replace('"downloads":2,', '"downloads":2,"x":tru,');
    const trailing = `${good} x`;
    for (const [body, deferred] of [
      [badItem, true],
      [good, true],
    ] as const) {
      const hub = await fakeServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
      servers.push(hub);
      const [page] = await collect(source(hub.url).sweep({ fingerprintSeed: 'seed' }));
      expect(page!.deferred !== undefined).toBe(deferred);
      const r = page!.deferred!.read(0);
      if (body === badItem)
        expect('quarantine' in r && r.quarantine.reason).toMatch(/^invalid item: #0: not valid JSON/);
      else expect('item' in r).toBe(true);
    }
    // Not an array followed by nothing: parsed whole, which fails, and the page is retried until it gives up.
    const hub = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(trailing);
    });
    servers.push(hub);
    await expect(collect(source(hub.url, { maxRetries: 1 }).sweep({ fingerprintSeed: 'seed' }))).rejects.toBeInstanceOf(
      PageFailedError,
    );
  });

  it('asks for the next page of a sweep while the body of this one is still arriving, one page ahead at most', async () => {
    const items = catalogue(40);
    let release!: () => void;
    const secondAsked = new Promise<void>((resolve) => (release = resolve));
    let heldUntilSecond: boolean | null = null;
    const hub = await fakeServer(async (req, res, n) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const page = items.slice(offset, offset + 10);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (offset + 10 < items.length)
        headers.link = `<${hub.url}/api/models?cursor=${offset + 10}&limit=10>; rel="next"`;
      if (offset === 10) release();
      res.writeHead(200, headers);
      const text = JSON.stringify(page);
      if (n === 0) {
        // The head goes out with half the body; the rest only once page 2 was asked for. A client that does not
        // ask ahead waits for this body until its own timeout gives up on the connection, which ends the hold.
        res.write(text.slice(0, text.length >> 1));
        heldUntilSecond = await Promise.race([secondAsked.then(() => true), once(res, 'close').then(() => false)]);
        res.end(text.slice(text.length >> 1));
      } else res.end(text);
    });
    servers.push(hub);
    const src = source(hub.url, { pageSize: 10 });
    const seen: number[] = [];
    for await (const p of src.sweep()) {
      seen.push(p.items.length);
      // While a page is being looked at, no more than the one after it has been asked for.
      expect(hub.requests.length).toBeLessThanOrEqual(seen.length + 1);
    }
    expect(heldUntilSecond).toBe(true);
    expect(seen).toEqual([10, 10, 10, 10]);
    expect(src.counters).toMatchObject({ requests: 4, pages: 4 });
  });

  it('asks for nothing ahead in a poll, which stops part way', async () => {
    const hub = await fakeHub({ items: catalogue(50) });
    const src = source(hub.url, { pageSize: 10 });
    const first: Array<SourcePage<HfModelInput>> = [];
    for await (const p of src.listNewest()) {
      first.push(p);
      // A request asked ahead leaves (is counted) as soon as this page's head names the next one: before the body
      // is read and long before the page reaches here.
      expect(src.counters.requests).toBe(1);
      break;
    }
    expect(first).toHaveLength(1);
    expect(src.counters.requests).toBe(1);
    expect(hub.requests).toHaveLength(1);
  });
});
