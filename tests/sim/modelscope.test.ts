import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { get, getJson, put } from './helpers.js';

const DAY = '2026-11-20';
type Rec = Record<string, unknown> & { Path: string; Name: string; BaseModel: string[]; Downloads: number; CreatedTime: number };
interface Env {
  Code: number;
  Data: { FiledAgg: Record<string, unknown>; Model: { Models: Rec[]; TotalCount: number }; Source: string; Target: string } | null;
  Message: string;
  RequestId: string;
  Success: boolean;
}
const template = JSON.parse(readFileSync(new URL('../fixtures/sim/modelscope-record.DiffSynth-Studio_Qwen-Image-Edit-F2P.json', import.meta.url), 'utf8')) as Record<string, unknown>;

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
    const r = await search({ PageSize: 30, PageNumber: 1, SortBy: 'Default', Target: '', Criterion: [], SingleCriterion: [], Name: '' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['Code', 'Data', 'Message', 'RequestId', 'Success']);
    expect(r.body).toMatchObject({ Code: 200, Message: 'success', Success: true });
    expect(r.body.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(r.body.Data!)).toEqual(['FiledAgg', 'Model', 'Source', 'Target']);
    expect(Object.keys(r.body.Data!.FiledAgg)).toEqual(['language', 'libraries', 'license', 'model_type', 'nexa_catalog', 'tags']);
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
    for (const body of [{ PageSize: 101, PageNumber: 1 }, { PageSize: 10, PageNumber: 0 }, { SortBy: 'Downloads' }, '{not json', [1, 2]]) {
      const r = await search(body);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ Code: 400, Success: false });
      expect(r.body.Message.length).toBeGreaterThan(5);
    }
  });

  it('filters by organisation and carries Chinese orgs under their ModelScope namespace', async () => {
    const r = await search({ PageSize: 100, PageNumber: 1, SortBy: 'GmtModified', Criterion: [{ category: 'organizations', predicate: 'contains', values: ['ZhipuAI'] }] });
    const models = r.body.Data!.Model.Models;
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) expect(m.Path).toBe('ZhipuAI');
    for (let k = 1; k < models.length; k++) expect(models[k]!.LastUpdatedTime as number).toBeLessThanOrEqual(models[k - 1]!.LastUpdatedTime as number);
    // The same model exists on Hugging Face under zai-org (names compared case-insensitively: ZhipuAI lowercases some).
    const u = sim.universe;
    const hfNames = new Set<string>();
    for (const i of u.indices(u.checkDay(DAY))) if (u.namespaceOf(i) === 'zai-org') hfNames.add(u.idOf(i).split('/')[1]!.toLowerCase());
    for (const m of models) expect(hfNames.has(m.Name.toLowerCase())).toBe(true);
  });

  it('has mirror namespaces re-uploading Western models under the same name, some with BaseModel, some without', async () => {
    const all: Rec[] = [];
    for (const ns of ['LLM-Research', 'AI-ModelScope']) {
      for (let p = 1; ; p++) {
        const r = await search({ PageSize: 100, PageNumber: p, Criterion: [{ category: 'organizations', predicate: 'contains', values: [ns] }] });
        all.push(...r.body.Data!.Model.Models);
        if (r.body.Data!.Model.Models.length < 100) break;
      }
    }
    expect(all.length).toBeGreaterThan(3);
    const u = sim.universe;
    const west = new Set<string>();
    for (const i of u.indices(u.checkDay(DAY))) {
      const ns = u.namespaceOf(i);
      if (['meta-llama', 'google', 'microsoft', 'mistralai', 'black-forest-labs', 'stabilityai', 'sentence-transformers'].includes(ns)) west.add(u.idOf(i).split('/')[1]!);
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
      for (const m of r.body.Data!.Model.Models) for (const b of m.BaseModel) if (/@(v1|master)$/.test(b)) pinned.push(b);
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
      const broke = m.Downloads === null || !('Path' in m) || m.Tasks === null || typeof m.CreatedTime === 'string' || m.Name === null || typeof m.BaseModel === 'string';
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

  it('gives each platform its own download counts', async () => {
    const r = await search({ PageSize: 100, PageNumber: 1, SortBy: 'DownloadsCount', Criterion: [{ category: 'organizations', predicate: 'contains', values: ['Qwen'] }] });
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
