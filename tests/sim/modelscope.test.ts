import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { get, getJson, put } from './helpers.js';

const DAY = '2026-11-20';
type Rec = Record<string, unknown> & {
  Path: string;
  Name: string;
  BaseModel: string[];
  Downloads: number;
  CreatedTime: number;
};
interface Env {
  Code: number;
  Data: {
    FiledAgg: Record<string, unknown>;
    Model: { Models: Rec[]; TotalCount: number };
    Source: string;
    Target: string;
  } | null;
  Message: string;
  RequestId: string;
  Success: boolean;
}
const template = JSON.parse(
  readFileSync(
    new URL('../fixtures/sim/modelscope-record.DiffSynth-Studio_Qwen-Image-Edit-F2P.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

describe('ModelScope simulator', () => {
  let sim: Sim;
  let ms: string;
  const search = (body: unknown) => put<Env>(`${ms}/api/v1/dolphin/models`, body);

  beforeAll(async () => {
    sim = await startSim({ seed: 5, models: 20_000, day: DAY });
    ms = sim.urls.modelscope;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers the dolphin search with the real envelope and 96-key records in the real key order', async () => {
    const r = await search({
      PageSize: 30,
      PageNumber: 1,
      SortBy: 'Default',
      Target: '',
      Criterion: [],
      SingleCriterion: [],
      Name: '',
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['Code', 'Data', 'Message', 'RequestId', 'Success']);
    expect(r.body).toMatchObject({ Code: 200, Message: 'success', Success: true });
    expect(r.body.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(r.body.Data!)).toEqual(['FiledAgg', 'Model', 'Source', 'Target']);
    expect(Object.keys(r.body.Data!.FiledAgg)).toEqual([
      'language',
      'libraries',
      'license',
      'model_type',
      'nexa_catalog',
      'tags',
    ]);
    const models = r.body.Data!.Model.Models;
    expect(models.length).toBe(30);
    for (const m of models) {
      expect(Object.keys(m)).toEqual(Object.keys(template));
      expect(Number.isInteger(m.CreatedTime)).toBe(true);
      expect(m.CreatedTime).toBeLessThan(1e10);
      expect(m.LastUpdatedTime as number).toBeGreaterThanOrEqual(m.CreatedTime);
      expect(Array.isArray(m.BaseModel)).toBe(true);
      expect(typeof m.License).toBe('string');
      expect((m.Organization as Record<string, unknown>).Name).toBeDefined();
    }
  });

  it('pages by number to a short last page that reaches every model exactly once', async () => {
    const first = await search({ PageSize: 100, PageNumber: 1, SortBy: 'DownloadsCount' });
    const total = first.body.Data!.Model.TotalCount;
    expect(total).toBe(sim.universe.ms.countAt(DAY));
    const seen = new Set<string>();
    let last = 0;
    let prev = Infinity;
    for (let p = 1; ; p++) {
      const r = p === 1 ? first : await search({ PageSize: 100, PageNumber: p, SortBy: 'DownloadsCount' });
      const page = r.body.Data!.Model.Models;
      for (const m of page) {
        seen.add(`${m.Path}/${m.Name}`);
        expect(m.Downloads).toBeLessThanOrEqual(prev);
        prev = m.Downloads;
      }
      last = page.length;
      if (page.length < 100) break;
    }
    expect(seen.size).toBe(total);
    expect(last).toBe(total % 100);
    const beyond = await search({ PageSize: 100, PageNumber: Math.ceil(total / 100) + 2, SortBy: 'DownloadsCount' });
    expect(beyond.body.Data!.Model.Models).toEqual([]);
  });

  it('rejects bad bodies with Success:false and Code 400', async () => {
    for (const body of [
      { PageSize: 101, PageNumber: 1 },
      { PageSize: 10, PageNumber: 0 },
      { SortBy: 'Downloads' },
      '{not json',
      [1, 2],
    ]) {
      const r = await search(body);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ Code: 400, Success: false });
      expect(r.body.Message.length).toBeGreaterThan(5);
    }
  });

  it('filters by organisation and carries Chinese orgs under their ModelScope namespace', async () => {
    const r = await search({
      PageSize: 100,
      PageNumber: 1,
      SortBy: 'GmtModified',
      Criterion: [{ category: 'organizations', predicate: 'contains', values: ['ZhipuAI'] }],
    });
    const models = r.body.Data!.Model.Models;
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) expect(m.Path).toBe('ZhipuAI');
    for (let k = 1; k < models.length; k++)
      expect(models[k]!.LastUpdatedTime as number).toBeLessThanOrEqual(models[k - 1]!.LastUpdatedTime as number);
    // The same model exists on Hugging Face under zai-org (names compared case-insensitively: ZhipuAI lowercases some).
    const u = sim.universe;
    const hfNames = new Set<string>();
    for (const i of u.indices(u.checkDay(DAY)))
      if (u.namespaceOf(i) === 'zai-org') hfNames.add(u.idOf(i).split('/')[1]!.toLowerCase());
    for (const m of models) expect(hfNames.has(m.Name.toLowerCase())).toBe(true);
  });

  it('has mirror namespaces re-uploading Western models under the same name, some with BaseModel, some without', async () => {
    const all: Rec[] = [];
    for (const ns of ['LLM-Research', 'AI-ModelScope']) {
      for (let p = 1; ; p++) {
        const r = await search({
          PageSize: 100,
          PageNumber: p,
          Criterion: [{ category: 'organizations', predicate: 'contains', values: [ns] }],
        });
        all.push(...r.body.Data!.Model.Models);
        if (r.body.Data!.Model.Models.length < 100) break;
      }
    }
    expect(all.length).toBeGreaterThan(3);
    const u = sim.universe;
    const west = new Set<string>();
    for (const i of u.indices(u.checkDay(DAY))) {
      const ns = u.namespaceOf(i);
      if (
        [
          'meta-llama',
          'google',
          'microsoft',
          'mistralai',
          'black-forest-labs',
          'stabilityai',
          'sentence-transformers',
        ].includes(ns)
      )
        west.add(u.idOf(i).split('/')[1]!);
    }
    for (const m of all) expect(west.has(m.Name)).toBe(true);
    const derived = sim.universe.ms;
    let withBase = 0;
    let withoutBase = 0;
    for (let k = 0; k < derived.mirrors; k++) {
      if (derived.kind[k] !== 1 || (u.rel[derived.src[k]!] ?? 0) === 0) continue;
      if (derived.baseIds(k).length) withBase++;
      else withoutBase++;
    }
    expect(withBase).toBeGreaterThan(0);
    expect(withoutBase).toBeGreaterThan(0);
  });

  it('uses ModelScope ids in BaseModel, some pinned to a revision, and they resolve through the detail endpoint', async () => {
    const pinned: string[] = [];
    for (let p = 1; p <= 20 && pinned.length < 3; p++) {
      const r = await search({ PageSize: 100, PageNumber: p, SortBy: 'StarsCount' });
      for (const m of r.body.Data!.Model.Models)
        for (const b of m.BaseModel) if (/@(v1|master)$/.test(b)) pinned.push(b);
    }
    expect(pinned.length).toBeGreaterThan(0);
    for (const b of pinned) {
      const [owner, name] = b.replace(/@.*$/, '').split('/');
      const d = await getJson<Env & { Data: Rec }>(`${ms}/api/v1/models/${owner}/${name}`);
      expect(d.body.Success).toBe(true);
      expect(`${d.body.Data.Path}/${d.body.Data.Name}`).toBe(b.replace(/@.*$/, ''));
      expect(typeof d.body.Data.ReadMeContent).toBe('string');
    }
    const missing = await getJson<Env>(`${ms}/api/v1/models/nobody/nothing`);
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ Code: 10010205, Success: false, Message: '模型不存在' });
  });

  it('answers a business error with a Chinese message, 429 with Retry-After, and the shared faults', async () => {
    sim.setFaults('modelscope', { businessErrorRate: 1 });
    const biz = await search({ PageSize: 10, PageNumber: 1 });
    expect(biz.status).toBe(200);
    expect(biz.body.Success).toBe(false);
    expect(biz.body.Message).toMatch(/[\u4e00-\u9fff]/);

    sim.setFaults('modelscope', { rateLimit: { max: 2, windowMs: 30_000 } });
    await search({ PageSize: 1 });
    await search({ PageSize: 1 });
    const limited = await search({ PageSize: 1 });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    sim.setFaults('modelscope', { malformedRate: 1 });
    const bad = await search({ PageSize: 50, PageNumber: 1 });
    for (const m of bad.body.Data!.Model.Models) {
      const broke =
        m.Downloads === null ||
        !('Path' in m) ||
        m.Tasks === null ||
        typeof m.CreatedTime === 'string' ||
        m.Name === null ||
        typeof m.BaseModel === 'string';
      expect(broke).toBe(true);
    }

    sim.setFaults('modelscope', { hostileRate: 1 });
    const hostile = await search({ PageSize: 100, PageNumber: 1 });
    const text = JSON.stringify(hostile.body.Data!.Model.Models.map((m) => [m.ChineseName, m.Description]));
    expect(text).toContain('<script>alert(1)</script>');

    sim.setFaults('modelscope', { error5xxRate: 1 });
    const err = await get(`${ms}/api/v1/models/nobody/nothing`);
    expect([502, 503]).toContain(err.status);
    sim.setFaults('modelscope', {});
  });

  const criterion = (category: string, value: string) => [
    { category, predicate: 'contains', values: [value], sub_values: [] },
  ];
  const totalOf = async (body: Record<string, unknown>) =>
    (await search({ PageSize: 1, PageNumber: 1, ...body })).body.Data!.Model.TotalCount;

  it('honours tasks, organizations, tags and libraries, and ignores any other category without an error', async () => {
    const all = await totalOf({});
    const honoured: Array<[string, string]> = [
      ['tasks', 'text-generation'],
      ['organizations', 'Qwen'],
      ['tags', 'lora'],
      ['libraries', 'gguf'],
    ];
    for (const [c, v] of honoured) {
      const t = await totalOf({ Criterion: criterion(c, v) });
      expect(t, `${c}=${v}`).toBeGreaterThan(0);
      expect(t, `${c}=${v}`).toBeLessThan(all);
    }
    // `license` is a FiledAgg key, never shown to be a criterion; a made-up category is the third party's case.
    for (const c of ['license', 'inference_type', 'no-such-category']) {
      const r = await search({ PageSize: 1, PageNumber: 1, Criterion: criterion(c, 'apache-2.0') });
      expect(r.status).toBe(200);
      expect(r.body.Success).toBe(true);
      expect(r.body.Data!.Model.TotalCount).toBe(all);
    }
  });

  it('orders GmtModified by LastUpdatedTime, newest first, across pages', async () => {
    const times: number[] = [];
    for (let p = 1; p <= 3; p++) {
      const r = await search({ PageSize: 100, PageNumber: p, SortBy: 'GmtModified' });
      times.push(...r.body.Data!.Model.Models.map((m) => m.LastUpdatedTime as number));
    }
    expect(times).toHaveLength(300);
    expect(times.every((t, i) => i === 0 || times[i - 1]! >= t)).toBe(true);
  });

  it('depthLimit: the page crossing it is short, later ones are empty, TotalCount stays whole (the silent form)', async () => {
    const all = await totalOf({});
    expect(all).toBeGreaterThan(1000);
    sim.setFaults('modelscope', { depthLimit: 250 });
    try {
      const page = async (n: number) => (await search({ PageSize: 100, PageNumber: n, SortBy: 'GmtModified' })).body;
      const [p2, p3, p4] = [await page(2), await page(3), await page(4)];
      expect(p2.Data!.Model.Models).toHaveLength(100);
      expect(p3.Data!.Model.Models).toHaveLength(50);
      expect(p4.Data!.Model.Models).toHaveLength(0);
      for (const b of [p3, p4]) {
        expect(b).toMatchObject({ Code: 200, Success: true });
        expect(b.Data!.Model.TotalCount).toBe(all);
      }
      // A filtered listing has the same limit.
      const filtered = await search({
        PageSize: 100,
        PageNumber: 3,
        SortBy: 'GmtModified',
        Criterion: criterion('tasks', 'text-generation'),
      });
      expect(filtered.body.Data!.Model.Models.length).toBeLessThanOrEqual(50);
    } finally {
      sim.setFaults('modelscope', {});
    }
  });

  it('msMoveAfterPage: the previous day until that many list pages, then the day (counts jump, updates move up, new models appear)', async () => {
    const day = '2026-11-21';
    sim.setDay(day);
    try {
      sim.setFaults('modelscope', { msMoveAfterPage: 2 });
      const first = await search({ PageSize: 100, PageNumber: 1, SortBy: 'GmtModified' });
      const second = await search({ PageSize: 100, PageNumber: 1, SortBy: 'GmtModified' });
      const third = await search({ PageSize: 100, PageNumber: 1, SortBy: 'GmtModified' });
      const ms = sim.universe.ms;
      expect(first.body.Data!.Model.TotalCount).toBe(ms.countAt(DAY));
      expect(second.body.Data!.Model.TotalCount).toBe(ms.countAt(DAY));
      expect(third.body.Data!.Model.TotalCount).toBe(ms.countAt(day));
      const h0 = Math.max(...first.body.Data!.Model.Models.map((m) => m.LastUpdatedTime as number));
      const moved = third.body.Data!.Model.Models.filter((m) => (m.LastUpdatedTime as number) > h0);
      expect(moved.length).toBeGreaterThan(0);
      // Every model at the front of the day's order was updated (or created) on the day itself.
      for (const m of moved)
        expect(m.LastUpdatedTime as number).toBeGreaterThanOrEqual(Date.parse(`${day}T00:00:00Z`) / 1000);
      const dl = (b: Env) => new Map(b.Data!.Model.Models.map((m) => [`${m.Path}/${m.Name}`, m.Downloads]));
      const before = dl(first.body);
      const after = dl((await search({ PageSize: 100, PageNumber: 1, SortBy: 'DownloadsCount' })).body);
      expect([...after].some(([id, d]) => before.has(id) && before.get(id) !== d)).toBe(true);
    } finally {
      sim.setFaults('modelscope', {});
      sim.setDay(DAY);
    }
  });

  it('serves the OpenAPI listing in snake_case and refuses what the SDK refuses (page_size > 50, page_number * page_size > 3000)', async () => {
    const r = await getJson<{
      success: boolean;
      message: string;
      data: { models: Array<Record<string, unknown>>; total_count: number; page_number: number; page_size: number };
    }>(`${ms}/openapi/v1/models?page_number=2&page_size=50&sort=downloads`);
    expect(r.status).toBe(200);
    expect(r.body.success).toBe(true);
    expect(r.body.data).toMatchObject({ page_number: 2, page_size: 50, total_count: sim.universe.ms.countAt(DAY) });
    expect(r.body.data.models).toHaveLength(50);
    const m = r.body.data.models[0]!;
    expect(Object.keys(m)).toEqual([
      'id',
      'display_name',
      'description',
      'downloads',
      'likes',
      'created_at',
      'last_modified',
      'license',
      'tags',
      'tasks',
      'file_size',
      'private',
      'gated',
      'login_required',
    ]);
    expect(m.id).toMatch(/^[^/]+\/[^/]+$/);
    expect(m.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const dl = r.body.data.models.map((x) => x.downloads as number);
    expect(dl.every((d, i) => i === 0 || dl[i - 1]! >= d)).toBe(true);
    const owned = await getJson<{ data: { models: Array<{ id: string }> } }>(
      `${ms}/openapi/v1/models?owner=Qwen&page_size=50`,
    );
    expect(owned.body.data.models.length).toBeGreaterThan(0);
    expect(owned.body.data.models.every((x) => x.id.startsWith('Qwen/'))).toBe(true);
    for (const q of ['page_number=61&page_size=50', 'page_number=1&page_size=51', 'page_number=0', 'sort=trending']) {
      const bad = await getJson<{ success: boolean; message: string }>(`${ms}/openapi/v1/models?${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.body.success).toBe(false);
      expect(bad.body.message.length).toBeGreaterThan(5);
    }
    expect((await getJson(`${ms}/openapi/v1/models?page_number=60&page_size=50`)).status).toBe(200);
    const detail = await getJson<{ success: boolean; data: { id: string } }>(
      `${ms}/openapi/v1/models/${m.id as string}`,
    );
    expect(detail.body.data.id).toBe(m.id);
    expect((await getJson(`${ms}/openapi/v1/models/nobody/nothing`)).status).toBe(404);
  });

  it('drift switches: no TotalCount, snake_case envelope, retyped and dropped fields, GmtModified unsorted, detail gone', async () => {
    try {
      sim.setFaults('modelscope', { msDrift: { noTotalCount: true } });
      expect((await search({ PageSize: 5 })).body.Data!.Model).not.toHaveProperty('TotalCount');
      sim.setFaults('modelscope', { msDrift: { snakeEnvelope: true } });
      const snake = (await search({ PageSize: 5 })).body as unknown as Record<string, unknown>;
      expect(Object.keys(snake)).toEqual(['success', 'data', 'message']);
      sim.setFaults('modelscope', { msDrift: { retypeField: 'CreatedTime', dropField: 'Stars' } });
      const [rec] = (await search({ PageSize: 1, SortBy: 'GmtModified' })).body.Data!.Model.Models;
      expect(rec!.CreatedTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(rec).not.toHaveProperty('Stars');
      sim.setFaults('modelscope', { msDrift: { unsortedModified: true } });
      const times = (await search({ PageSize: 100, SortBy: 'GmtModified' })).body.Data!.Model.Models.map(
        (m) => m.LastUpdatedTime as number,
      );
      expect(times.some((t, i) => i > 0 && t > times[i - 1]!)).toBe(true);
      sim.setFaults('modelscope', { msDrift: { ignoreCriteria: ['tasks'] } });
      expect(await totalOf({ Criterion: criterion('tasks', 'text-generation') })).toBe(await totalOf({}));
      sim.setFaults('modelscope', { msDrift: { detailGone: true } });
      const [listed] = (await search({ PageSize: 1 })).body.Data!.Model.Models;
      const d = await getJson<Env>(`${ms}/api/v1/models/${listed!.Path}/${listed!.Name}`);
      expect(d.body).toMatchObject({ Success: false, Message: '模型不存在' });
    } finally {
      sim.setFaults('modelscope', {});
    }
  });

  it('gives each platform its own download counts', async () => {
    const r = await search({
      PageSize: 100,
      PageNumber: 1,
      SortBy: 'DownloadsCount',
      Criterion: [{ category: 'organizations', predicate: 'contains', values: ['Qwen'] }],
    });
    const u = sim.universe;
    const dayN = u.checkDay(DAY);
    let differ = 0;
    for (const m of r.body.Data!.Model.Models) {
      const i = u.lookup(`Qwen/${m.Name}`, dayN);
      if (i !== null && u.downloadsAllTime(i, dayN) !== m.Downloads) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });
});
