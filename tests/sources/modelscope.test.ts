import { afterEach, describe, expect, it } from 'vitest';
import {
  InputError,
  PageFailedError,
  PermanentHttpError,
  RateLimitedError,
  TransientHttpError,
} from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { loadReferenceData } from '../../src/reference-data.js';
import {
  createModelScopeSource,
  readEnvelope,
  splitModelId,
  type ModelScopeSource,
} from '../../src/sources/modelscope/index.js';
import fc from 'fast-check';
import { MsModelSchema, checkMsModel, epochToIso, pickMsModel } from '../../src/sources/modelscope/schema.js';
import { WaitClock, collect, fakeServer, fixture, sendJson, testConfig, type FakeServer } from './helpers.js';
import { applyEdits, fieldEdits } from './field-edits.js';

const sampleText = fixture('modelscope/dolphin-models-put-response.lora-search.json');
const sample = JSON.parse(sampleText) as {
  Data: { Model: { Models: Array<Record<string, unknown>>; TotalCount: number } };
};
const records = sample.Data.Model.Models;

const servers: FakeServer[] = [];
const sources: ModelScopeSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function envelope(data: unknown, over: Record<string, unknown> = {}) {
  return { Code: 200, Data: data, Message: 'success', RequestId: 'req-1', Success: true, ...over };
}

const T0 = 1_764_000_000;

/**
 * A catalogue of n records cloned from the real sample, with distinct ids, in the order `SortBy: GmtModified` lists
 * them (newest LastUpdatedTime first): the fake server below serves every SortBy in this one order.
 */
function catalogue(n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    ...records[i % records.length]!,
    Path: `owner${i % 7}`,
    Name: `model-${i}`,
    Id: i,
    LastUpdatedTime: T0 - i * 60,
    CreatedTime: T0 - i * 60 - 3600,
  }));
}

interface FakeMsOptions {
  items: Array<Record<string, unknown>>;
  total?: 'exact' | 'none';
  onList?: (
    body: Record<string, unknown>,
    n: number,
  ) => { status: number; body: unknown; headers?: Record<string, string> } | null;
  /** Items left out of a page (by page number) after it was cut: a short page in the middle of a listing. */
  shorten?: Record<number, number>;
}

async function fakeMs(o: FakeMsOptions): Promise<FakeServer> {
  const s = await fakeServer((req, res, n) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/api/v1/dolphin/models' && req.method === 'PUT') {
      const body = JSON.parse(req.body) as { PageSize: number; PageNumber: number };
      const forced = o.onList?.(body, n);
      if (forced) return sendJson(res, forced.status, forced.body, forced.headers);
      const page = o.items.slice(
        (body.PageNumber - 1) * body.PageSize,
        body.PageNumber * body.PageSize - (o.shorten?.[body.PageNumber] ?? 0),
      );
      return sendJson(
        res,
        200,
        envelope({
          Model: { Models: page, ...(o.total === 'none' ? {} : { TotalCount: o.items.length }) },
          Source: '',
          Target: '',
        }),
      );
    }
    const m = /^\/api\/v1\/models\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const found = o.items.find((r) => r.Path === decodeURIComponent(m[1]!) && r.Name === decodeURIComponent(m[2]!));
      if (!found)
        return sendJson(res, 404, { Code: 10010205001, Message: '模型不存在', RequestId: 'r', Success: false });
      return sendJson(res, 200, envelope(found));
    }
    sendJson(res, 404, { Code: 404, Message: 'not found', Success: false });
  });
  servers.push(s);
  return s;
}

function source(
  url: string,
  overrides: Record<string, unknown> = {},
  opts: { mode?: 'wait' | 'throw'; token?: string; clock?: WaitClock } = {},
) {
  const src = createModelScopeSource({
    config: testConfig(
      { modelscope: url },
      { modelscope: overrides },
      opts.token ? { MODELSCOPE_TOKEN: opts.token } : {},
    ),
    logger: silentLogger,
    rateLimitMode: opts.mode ?? 'wait',
    http: { keepAliveTimeoutMs: 50, resetMarginMs: 20, ...opts.clock?.options },
  });
  sources.push(src);
  return src;
}

describe('ModelScope schema', () => {
  it('parses all 30 real records without quarantine', () => {
    expect(records).toHaveLength(30);
    for (const r of records) {
      const p = MsModelSchema.safeParse(r);
      expect(p.success, JSON.stringify(p.error?.issues)).toBe(true);
    }
    const first = MsModelSchema.parse(records[0]);
    expect(first).toMatchObject({
      Path: 'DiffSynth-Studio',
      Name: 'Qwen-Image-Edit-F2P',
      Downloads: 2038,
      CreatedTime: 1760583023,
      BaseModel: ['Qwen/Qwen-Image-Edit'],
      BaseModelRelation: 'adapter',
    });
    expect(first).not.toHaveProperty('MuseInfo');
  });

  it('fast path and zod agree on arbitrary records, and yield the same object', () => {
    const edits = fieldEdits(
      [...Object.keys(MsModelSchema.shape), 'MuseInfo'],
      fc.constantFrom('1760583023', '17.5', '-1'),
      fc.array(
        fc.oneof(
          fc.constant(null),
          fc.record({ Name: fc.oneof(fc.string(), fc.constant(null), fc.integer()) }, { requiredKeys: [] }),
        ),
      ),
      fc.record(
        { Name: fc.oneof(fc.string(), fc.constant(null), fc.integer()), FullName: fc.string() },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          safetensor: fc.oneof(
            fc.constant(null),
            fc.record(
              { model_size: fc.oneof(fc.integer({ min: -2, max: 99 }), fc.constant(null), fc.string()) },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 29 }), edits, (k, e) => {
        const rec = applyEdits(records[k]!, e);
        const z = MsModelSchema.safeParse(rec);
        const fast = pickMsModel(rec);
        expect(fast !== null).toBe(z.success);
        if (z.success) expect(fast).toEqual(z.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads epoch seconds, milliseconds and numeric strings; naive times are Beijing time; sentinels are null', () => {
    expect(epochToIso(1760583023)).toBe('2025-10-16T02:50:23.000Z');
    expect(epochToIso('1760583023')).toBe('2025-10-16T02:50:23.000Z');
    expect(epochToIso(1760583023000)).toBe('2025-10-16T02:50:23.000Z');
    // Not in any payload seen, but read rather than lose every model: a time without a zone is UTC+8.
    expect(epochToIso('2025-10-16 10:50:23')).toBe('2025-10-16T02:50:23.000Z');
    expect(epochToIso('2025-10-16T02:50:23Z')).toBe('2025-10-16T02:50:23.000Z');
    expect(epochToIso(-62135596800)).toBeNull();
    expect(epochToIso(null)).toBeNull();
    expect(checkMsModel({ ...records[0], LastUpdatedTime: '2025-10-16 10:50:23' }).ok).toBe(true);
    expect(checkMsModel({ ...records[0], LastUpdatedTime: 'yesterday' }).ok).toBe(false);
  });

  it('checks the envelope and keeps the platform message', () => {
    expect(() =>
      readEnvelope(JSON.stringify({ Code: 10010205001, Message: '模型不存在', Success: false }), 200, 'model x'),
    ).toThrow(/模型不存在/);
    expect(() => readEnvelope('{"Success":true,"Code":403,"Message":"无权限"}', 200, 'x')).toThrow(PermanentHttpError);
    // "Busy, try again later" is the one refusal that a retry fixes.
    expect(() => readEnvelope('{"Success":false,"Code":50000,"Message":"系统繁忙，请稍后再试"}', 200, 'x')).toThrow(
      TransientHttpError,
    );
    expect(() => readEnvelope('{"Success":false,"Code":500,"Message":"内部错误"}', 200, 'x')).toThrow(
      TransientHttpError,
    );
    expect(readEnvelope(sampleText, 200, 'x').Success).toBe(true);
  });

  it('splits ids with @revision', () => {
    expect(splitModelId('MusePublic/Qwen-image@v1')).toEqual({
      owner: 'MusePublic',
      name: 'Qwen-image',
      revision: 'v1',
    });
    expect(splitModelId('Qwen/Qwen3-8B')).toEqual({ owner: 'Qwen', name: 'Qwen3-8B', revision: null });
    expect(() => splitModelId('nope')).toThrow(InputError);
  });
});

describe('ModelScope source against a fake server', () => {
  it('serves the real sample page: 30 items, none quarantined, normalised with lineage', async () => {
    const s = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(sampleText);
    });
    servers.push(s);
    const src = source(s.url, { pageSize: 30 });
    const it = src.listNewest()[Symbol.asyncIterator]();
    const page = (await it.next()).value!;
    await it.return?.(undefined);
    expect(page.items).toHaveLength(30);
    expect(page.quarantine).toEqual([]);
    expect(page.next).toBe('2');
    const ctx = { ...loadReferenceData(), now: '2026-11-25T00:00:00.000Z', backfill: false };
    const rec = src.normalise(page.items[0], ctx);
    expect(rec.key).toBe('modelscope:DiffSynth-Studio/Qwen-Image-Edit-F2P');
    expect(rec.lineage.relation).toBe('adapter');
    expect(rec.lineage.baseModels).toEqual(['modelscope:Qwen/Qwen-Image-Edit']);
    expect(rec.createdAt).toBe('2025-10-16T02:50:23.000Z');
    expect(rec.stats.downloadsAllTime).toBe(2038);
    expect(rec.stats.downloads30d).toBeNull();
  });

  it('PUTs the dolphin body, pages 1-based by GmtModified, then reads the front again (the closing pass)', async () => {
    const items = catalogue(250);
    const ms = await fakeMs({ items });
    const src = source(ms.url, { pageSize: 100 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, 50, 100]);
    expect(pages.at(-1)!.next).toBeNull();
    expect(pages.slice(0, -1).every((p) => p.next !== null && JSON.parse(p.next).v === 1)).toBe(true);
    const bodies = ms.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(ms.requests.every((r) => r.method === 'PUT' && r.headers['content-type'] === 'application/json')).toBe(true);
    expect(bodies[0]).toEqual({
      Name: '',
      PageNumber: 1,
      PageSize: 100,
      SortBy: 'GmtModified',
      Target: '',
      Criterion: [],
      SingleCriterion: [],
    });
    expect(bodies.map((b) => b.PageNumber)).toEqual([1, 2, 3, 1]);
    const report = src.sweepReport!({ recordsSeen: 250, resumed: false });
    expect(report.complete).toBe(true);
    expect(report.notes[0]).toMatch(/^ModelScope sweep: 250 of 250 models shown against TotalCount/);
    await collect(src.listNewest());
    expect((JSON.parse(ms.requests.at(-1)!.body) as { SortBy: string }).SortBy).toBe('GmtModified');
    expect(src.listRecentlyModified).toBeUndefined();
    // The poll stops on the field GmtModified sorts by: LastUpdatedTime, epoch seconds.
    expect(src.orderTime(pages[0]!.items[0]!)).toBe(new Date(T0 * 1000).toISOString());
  });

  it('ends a walk without TotalCount on its short page, and cannot call it complete', async () => {
    const ms = await fakeMs({ items: catalogue(250), total: 'none' });
    const src = source(ms.url, { pageSize: 100 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, 50, 100]);
    const report = src.sweepReport!({ recordsSeen: 250, resumed: false });
    expect(report.complete).toBe(false);
    expect(report.notes.join('\n')).toMatch(/no TotalCount, so no walk can show that it saw every model/);
    expect(report.notes.at(-1)).toMatch(/nobody is marked missing today$/);
  });

  it('never ends a walk on a short page alone: it reads on while TotalCount says there is more', async () => {
    const ms = await fakeMs({ items: catalogue(300), shorten: { 2: 40 } });
    const src = source(ms.url, { pageSize: 100 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([100, 60, 100, 100]);
    const report = src.sweepReport!({ recordsSeen: 260, resumed: false });
    // The 40 models the short page left out were never listed: 260 of 300, incomplete with the numbers.
    expect(report.complete).toBe(false);
    expect(report.notes.join('\n')).toMatch(/40 of the 300 models TotalCount announces were not shown/);
  });

  it('stops without an empty extra request when TotalCount is a multiple of the page size', async () => {
    const ms = await fakeMs({ items: catalogue(200) });
    const src = source(ms.url, { pageSize: 100 });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, 100]);
    expect(ms.requests.map((r) => (JSON.parse(r.body) as { PageNumber: number }).PageNumber)).toEqual([1, 2, 1]);
  });

  it('resumes a poll from a page-number cursor and a sweep from its JSON cursor; refuses a bad one', async () => {
    const items = catalogue(230);
    const ms = await fakeMs({ items });
    const src = source(ms.url, { pageSize: 100 });
    const polled = await collect(src.listNewest({ cursor: '2' }));
    expect(polled[0]!.items[0]!.Name).toBe('model-100');
    expect(polled.map((p) => p.items.length)).toEqual([100, 30]);
    const it = src.sweep()[Symbol.asyncIterator]();
    const first = (await it.next()).value!;
    await it.return?.(undefined);
    const again = source(ms.url, { pageSize: 100 });
    const rest = await collect(again.sweep({ cursor: first.next }));
    expect(rest.map((p) => p.items.length)).toEqual([100, 30, 100]);
    expect(rest[0]!.items[0]!.Name).toBe('model-100');
    const report = again.sweepReport!({ recordsSeen: 330, resumed: true });
    expect(report.complete).toBe(true);
    expect(report.notes.join('\n')).toMatch(/230 of 230 models shown.*\n.*resumed from a checkpoint/s);
    // A page-number checkpoint of the walk this replaced: read on from there, but claim nothing about before it.
    const legacy = source(ms.url, { pageSize: 100 });
    const tail = await collect(legacy.sweep({ cursor: '2' }));
    expect(tail[0]!.items[0]!.Name).toBe('model-100');
    const lr = legacy.sweepReport!({ recordsSeen: 130, resumed: true });
    expect(lr.complete).toBe(false);
    expect(lr.notes.join('\n')).toMatch(/older version/);
    await expect(collect(src.sweep({ cursor: 'https://x' }))).rejects.toBeInstanceOf(InputError);
    await expect(collect(src.sweep({ cursor: '{"v":2}' }))).rejects.toBeInstanceOf(InputError);
    await expect(collect(src.listNewest({ cursor: '{"v":1}' }))).rejects.toBeInstanceOf(InputError);
  });

  it('quarantines bad records and keeps the page going', async () => {
    const items = catalogue(10);
    items[2] = { ...items[2]!, Downloads: null };
    items[5] = { ...items[5]!, Path: '' };
    items[6] = { ...items[6]!, CreatedTime: 'yesterday' };
    const ms = await fakeMs({ items });
    const src = source(ms.url, { pageSize: 100 });
    const [page] = await collect(src.sweep());
    expect(page!.items).toHaveLength(7);
    expect(page!.quarantine.map((q) => q.reason)).toEqual([
      expect.stringMatching(/#2: Downloads/),
      expect.stringMatching(/#5: Path/),
      expect.stringMatching(/#6: CreatedTime/),
    ]);
    expect(page!.quarantine[0]!.ref).toContain('PageNumber=1');
    // Three models were listed but could not be read: the sweep cannot show them.
    const report = src.sweepReport!({ recordsSeen: 7, resumed: false });
    expect(report.complete).toBe(false);
    expect(report.notes.join('\n')).toMatch(/3 listed items were unreadable/);
  });

  it('raises Success:false as PermanentHttpError with the platform message, not retried', async () => {
    const ms = await fakeMs({
      items: catalogue(3),
      onList: () => ({
        status: 200,
        body: { Code: 10020101001, Message: '参数错误: PageSize', RequestId: 'x', Success: false },
      }),
    });
    const src = source(ms.url);
    const err = await collect(src.sweep()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentHttpError);
    expect((err as Error).message).toContain('参数错误: PageSize');
    expect(ms.requests).toHaveLength(1);
  });

  it('fetches one model, strips @revision into ?Revision=, and keeps 模型不存在', async () => {
    const items = catalogue(3);
    const ms = await fakeMs({ items });
    const src = source(ms.url);
    const m = await src.fetchModel('owner1/model-1@v1');
    expect(m.Name).toBe('model-1');
    expect(ms.requests[0]!.url).toBe('/api/v1/models/owner1/model-1?Revision=v1');
    const err = await src.fetchModel('nobody/none').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentHttpError);
    expect((err as Error).message).toContain('模型不存在');
    expect((err as PermanentHttpError).status).toBe(404);
  });

  it('honours Retry-After on 429 (wait) and raises RateLimitedError (throw); retries 5xx then fails the page', async () => {
    const limited = await fakeMs({
      items: catalogue(5),
      onList: (_b, n) => (n === 0 ? { status: 429, body: {}, headers: { 'Retry-After': '1' } } : null),
    });
    const clock = new WaitClock();
    const waiting = source(limited.url, {}, { clock });
    const pages = await collect(waiting.sweep());
    expect(clock.waits).toEqual([1000 + 20]); // Retry-After: 1 plus the reset margin, waited once
    expect(pages[0]!.items).toHaveLength(5);
    expect(waiting.counters.http429).toBe(1);

    const ms2 = await fakeMs({
      items: catalogue(5),
      onList: () => ({ status: 429, body: {}, headers: { 'Retry-After': '7' } }),
    });
    const t = source(ms2.url, {}, { mode: 'throw' });
    const err = await collect(t.sweep()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000 + 20); // Retry-After plus the reset margin

    const broken = await fakeMs({
      items: catalogue(5),
      onList: () => ({ status: 502, body: { Message: 'bad gateway' } }),
    });
    const b = source(broken.url, { maxRetries: 2 });
    await expect(collect(b.sweep())).rejects.toBeInstanceOf(PageFailedError);
    expect(broken.requests).toHaveLength(3);
  });

  it('retries a busy refusal (系统繁忙) and passes', async () => {
    const ms = await fakeMs({
      items: catalogue(5),
      onList: (_b, n) =>
        n === 0 ? { status: 200, body: { Code: 50000, Message: '系统繁忙，请稍后再试', Success: false } } : null,
    });
    const src = source(ms.url);
    const pages = await collect(src.listNewest());
    expect(pages[0]!.items).toHaveLength(5);
    expect(src.counters).toMatchObject({ requests: 2, errors: 1 });
  });

  it('retries a list envelope without Data.Model.Models (a broken 200) before failing the page', async () => {
    const ms = await fakeMs({
      items: catalogue(5),
      onList: (_b, n) => (n < 2 ? { status: 200, body: envelope({ Oops: true }) } : null),
    });
    const src = source(ms.url);
    const pages = await collect(src.sweep());
    expect(pages[0]!.items).toHaveLength(5);
    expect(src.counters.errors).toBe(2);
  });

  it('sends MODELSCOPE_TOKEN as a bearer token', async () => {
    const ms = await fakeMs({ items: catalogue(2) });
    const src = source(ms.url, {}, { token: 'ms-secret' });
    await collect(src.sweep());
    expect(ms.requests[0]!.headers.authorization).toBe('Bearer ms-secret');
    expect(ms.requests[0]!.headers['user-agent']).toMatch(
      /^hubwatch\/.*contact: https:\/\/github.com\/hubwatch\/hubwatch\/issues/,
    );
  });
});
