import { readFileSync } from 'node:fs';
import { listModels, modelInfo } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { HF_DETAIL_FIELDS, HF_LIST_FIELDS } from '../../src/sim/hf.js';
import { get, getJson, nextLink, post, walk, type HfItem } from './helpers.js';

const DAY = '2026-11-20';
const NEXT = '2026-11-21';
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/sim/${name}`, import.meta.url), 'utf8'));
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

describe('Hugging Face simulator', () => {
  let sim: Sim;
  let hf: string;

  beforeAll(async () => {
    sim = await startSim({ seed: 7, models: 4000, day: DAY, faults: { huggingface: { rateLimit: null } } });
    hf = sim.urls.huggingface;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages every model exactly once at limit 1000 through absolute Link headers, and ends without one', async () => {
    const { items, pages, lastLink } = await walk(`${hf}/api/models?sort=downloads&limit=1000`);
    const expected = sim.universe.count(sim.universe.checkDay(DAY));
    expect(items.length).toBe(expected);
    expect(new Set(items.map((x) => x._id)).size).toBe(expected);
    expect(new Set(items.map((x) => x.id)).size).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 1000));
    expect(lastLink).toBeUndefined();
    for (const x of items) expect(x.id).toMatch(REPO_ID);
  });

  it('writes the Link as the Hub does: absolute, same query, base64 keyset cursor', async () => {
    const r = await get(`${hf}/api/models?limit=3&expand[]=likes`);
    const next = nextLink(r.headers.link)!;
    expect(next.startsWith(`${hf}/api/models?`)).toBe(true);
    const u = new URL(next);
    expect(u.searchParams.get('limit')).toBe('3');
    expect(u.searchParams.get('sort')).toBe('trendingScore');
    expect(u.searchParams.getAll('expand[]')).toEqual(['likes']);
    const cursor = JSON.parse(Buffer.from(u.searchParams.get('cursor')!, 'base64').toString()) as {
      $or: Array<Record<string, unknown>>;
    };
    expect(Object.keys(cursor.$or[0]!)).toEqual(['trendingScore', '_id']);
    const bad = await get(`${hf}/api/models?limit=3&cursor=bm90LWEtY3Vyc29y`);
    expect(bad.status).toBe(400);
  });

  it('keeps pages stable across inserts and a day change (keyset, not offset)', async () => {
    const first = await getJson<HfItem[]>(`${hf}/api/models?sort=createdAt&limit=500`);
    sim.setDay(NEXT);
    try {
      const rest = await walk(nextLink(first.headers.link)!);
      const all = [...first.body, ...rest.items];
      expect(new Set(all.map((x) => x._id)).size).toBe(all.length);
      // Models created on NEXT sort above the cursor, so none of them leaks into the later pages.
      const fresh = new Set(sim.universe.createdOn(NEXT));
      expect(rest.items.filter((x) => fresh.has(x.id))).toEqual([]);
    } finally {
      sim.setDay(DAY);
    }
  });

  it('returns the default list field set of the real sample, in its order', async () => {
    const sample = fixture('list-models-default.burncloud-2025-11.json') as Array<Record<string, unknown>>;
    const { body } = await getJson<HfItem[]>(`${hf}/api/models?limit=200&sort=downloads`);
    const full = body.find((x) => 'pipeline_tag' in x && 'library_name' in x)!;
    expect(Object.keys(full)).toEqual(Object.keys(sample[0]!));
    expect(Object.keys(full)).toEqual(HF_LIST_FIELDS);
    for (const x of body) {
      expect(x.modelId).toBe(x.id);
      expect(x._id).toMatch(/^[0-9a-f]{24}$/);
      expect(x.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect('author' in x || 'lastModified' in x || 'cardData' in x || 'downloadsAllTime' in x).toBe(false);
    }
  });

  it('returns the detail field set in the sample order, on both the plain and the revision path', async () => {
    const sample = fixture('model-info-default.ggml-org_gemma-3-1b-it-GGUF.json') as Record<string, unknown>;
    const { body } = await getJson<HfItem[]>(
      `${hf}/api/models?limit=1000&sort=downloads&filter=gguf&expand[]=library_name`,
    );
    const gguf = body[0]!;
    const plain = await getJson<Record<string, unknown>>(`${hf}/api/models/${gguf.id}`);
    expect(plain.status).toBe(200);
    const keys = Object.keys(plain.body);
    // Every key of the real answer is there, in the same relative order.
    const positions = Object.keys(sample).map((k) => keys.indexOf(k));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(keys.every((k) => HF_DETAIL_FIELDS.includes(k))).toBe(true);
    expect(plain.body.gguf).toMatchObject({ total: expect.any(Number), architecture: expect.any(String) });
    const rev = await get(`${hf}/api/models/${gguf.id}/revision/HEAD`);
    expect(rev.text).toBe(JSON.stringify(plain.body));
    expect((await get(`${hf}/api/models/${gguf.id}/revision/${plain.body.sha as string}`)).status).toBe(200);
    expect((await get(`${hf}/api/models/${gguf.id}/revision/nope`)).status).toBe(404);
    // A missing repo answers 401 to an anonymous request, as the Hub does (research/hf.md §1.2), not 404.
    const missing = await get(`${hf}/api/models/nobody/nothing-here`);
    expect(missing.status).toBe(401);
    expect(missing.headers['x-error-code']).toBe('RepoNotFound');
  });

  it('with expand returns only _id, id and the asked fields, in both spellings; unknown values are a 400', async () => {
    for (const q of ['expand[]=downloads&expand[]=author', 'expand=downloads&expand=author']) {
      const { body } = await getJson<HfItem[]>(`${hf}/api/models?limit=50&${q}`);
      for (const x of body) expect(Object.keys(x)).toEqual(['_id', 'id', 'author', 'downloads']);
    }
    // The list route refuses the detail-only values, naming the value (huggingface_hub PR #3182)…
    for (const v of ['baseModels', 'childrenModelCount', 'usedStorage']) {
      const refused = await get(`${hf}/api/models?limit=5&expand[]=downloads&expand[]=${v}`);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text).error).toContain(`(got "${v}")`);
    }
    // …unless a test asks for the old, permissive behaviour on purpose.
    sim.setFaults('huggingface', { rateLimit: null, listExpandPermissive: true });
    const { body } = await getJson<HfItem[]>(
      `${hf}/api/models?limit=300&sort=createdAt&expand[]=baseModels&expand[]=cardData&expand[]=downloadsAllTime`,
    );
    sim.setFaults('huggingface', { rateLimit: null });
    const derived = body.filter((x) => x.baseModels);
    expect(derived.length).toBeGreaterThan(10);
    for (const x of derived) {
      const bm = x.baseModels as { relation: string; models: Array<{ id: string }> };
      expect(['finetune', 'adapter', 'quantized', 'merge']).toContain(bm.relation);
      const card = x.cardData as { base_model?: string | string[] };
      expect([card.base_model].flat()).toEqual(bm.models.map((m) => m.id));
    }
    const bad = await get(`${hf}/api/models?expand[]=downloads&expand[]=nonsense`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatch(/nonsense/);
    const badDetail = await get(`${hf}/api/models/${body[0]!.id}?expand=bogus`);
    expect(badDetail.status).toBe(400);
    const one = await getJson<Record<string, unknown>>(
      `${hf}/api/models/${body[0]!.id}?expand[]=downloadsAllTime&expand[]=childrenModelCount`,
    );
    expect(Object.keys(one.body)).toEqual(['_id', 'id', 'childrenModelCount', 'downloadsAllTime']);
  });

  it('sorts descending by every supported key and rejects others', async () => {
    const field: Record<string, string> = {
      createdAt: 'createdAt',
      lastModified: 'lastModified',
      downloads: 'downloads',
      likes: 'likes',
      trendingScore: 'trendingScore',
    };
    for (const [sort, f] of Object.entries(field)) {
      const { items } = await walk(`${hf}/api/models?sort=${sort}&limit=1000&expand[]=${f}`, 2);
      const vals = items.map((x) => (typeof x[f] === 'string' ? Date.parse(x[f]) : (x[f] as number)));
      for (let k = 1; k < vals.length; k++) expect(vals[k]!).toBeLessThanOrEqual(vals[k - 1]!);
      expect(new Set(vals).size).toBeGreaterThan(5);
    }
    expect((await get(`${hf}/api/models?sort=likes30d`)).status).toBe(400);
    expect((await get(`${hf}/api/models?sort=downloads&direction=1`)).status).toBe(400);
    expect((await get(`${hf}/api/models?limit=0`)).status).toBe(400);
    const capped = await getJson<HfItem[]>(`${hf}/api/models?limit=5000`);
    expect(capped.body.length).toBe(1000);
  });

  it('filters by author, search, pipeline_tag and ANDed tags including base_model tags', async () => {
    const qwen = await walk(`${hf}/api/models?author=Qwen&limit=1000`);
    expect(qwen.items.length).toBeGreaterThan(3);
    for (const x of qwen.items) expect(x.id.startsWith('Qwen/')).toBe(true);
    const search = await walk(`${hf}/api/models?search=gguf&limit=1000`);
    expect(search.items.length).toBeGreaterThan(3);
    for (const x of search.items) expect(x.id.toLowerCase()).toContain('gguf');
    const task = await walk(`${hf}/api/models?pipeline_tag=text-to-image&limit=1000&expand[]=pipeline_tag`);
    expect(task.items.length).toBeGreaterThan(0);
    for (const x of task.items) expect(x.pipeline_tag).toBe('text-to-image');
    const quant = qwen.items[0]!.id;
    const children = sim.universe.childrenCount(
      sim.universe.lookup(quant, sim.universe.checkDay(DAY))!,
      sim.universe.checkDay(DAY),
    );
    const byTag = await walk(`${hf}/api/models?filter=base_model:quantized:${quant}&limit=1000&expand[]=tags`);
    expect(byTag.items.length).toBe(children.quantized);
    for (const x of byTag.items)
      expect(x.tags).toEqual(expect.arrayContaining([`base_model:${quant}`, `base_model:quantized:${quant}`]));
    const anded = await walk(`${hf}/api/models?filter=gguf&filter=license:apache-2.0&limit=1000&expand[]=tags`);
    expect(anded.items.length).toBeGreaterThan(0);
    for (const x of anded.items) expect(x.tags).toEqual(expect.arrayContaining(['gguf', 'license:apache-2.0']));
  });

  it('carries the lineage, licence and card forms the Hub writes', async () => {
    // baseModels on a list only where a test asks for the permissive (wrong) list route on purpose.
    sim.setFaults('huggingface', { rateLimit: null, listExpandPermissive: true });
    const { items } = await walk(
      `${hf}/api/models?limit=1000&expand[]=tags&expand[]=cardData&expand[]=baseModels&expand[]=author`,
    ).finally(() => sim.setFaults('huggingface', { rateLimit: null }));
    const tagsOf = (x: HfItem): string[] => x.tags as string[];
    const withBoth = items.filter((x) =>
      tagsOf(x).some((t) => /^base_model:(finetune|adapter|quantized|merge):/.test(t)),
    );
    for (const x of withBoth.slice(0, 200)) {
      for (const t of tagsOf(x).filter((t) => /^base_model:(finetune|adapter|quantized|merge):/.test(t))) {
        expect(tagsOf(x)).toContain(`base_model:${t.split(':').slice(2).join(':')}`);
      }
    }
    const cards = items.map((x) => x.cardData as Record<string, unknown>);
    expect(cards.some((c) => Array.isArray(c.base_model) && c.base_model.length >= 2)).toBe(true);
    expect(cards.some((c) => typeof c.base_model === 'string')).toBe(true);
    expect(cards.some((c) => c.base_model_relation !== undefined)).toBe(true);
    expect(
      cards.some(
        (c) => c.license === 'other' && typeof c.license_name === 'string' && typeof c.license_link === 'string',
      ),
    ).toBe(true);
    expect(cards.some((c) => Array.isArray(c.license))).toBe(true);
    expect(cards.some((c) => c.license === undefined)).toBe(true);
    expect(items.some((x) => tagsOf(x).includes('license:llama3.1') || tagsOf(x).includes('license:gemma'))).toBe(true);
    // Redistributor repos named after their source, with and without lineage.
    const bart = items.filter(
      (x) => x.author === 'bartowski' || x.author === 'mlx-community' || x.author === 'unsloth',
    );
    expect(bart.length).toBeGreaterThan(0);
    expect(bart.some((x) => /_.*-GGUF|-\dbit|GGUF/.test(x.id))).toBe(true);
    const redist = items.filter((x) =>
      [
        'bartowski',
        'mradermacher',
        'mlx-community',
        'unsloth',
        'RichardErkhov',
        'TheBloke',
        'QuantFactory',
        'lmstudio-community',
      ].includes(x.author as string),
    );
    expect(redist.some((x) => !x.baseModels)).toBe(true);
    expect(redist.some((x) => x.baseModels)).toBe(true);
    // Multi-hop: a derivative whose base is itself a derivative.
    const byId = new Map(items.map((x) => [x.id, x]));
    expect(
      items.some((x) =>
        (x.baseModels as { models: Array<{ id: string }> } | undefined)?.models.some((m) => byId.get(m.id)?.baseModels),
      ),
    ).toBe(true);
    // A base that the catalogue does not have.
    expect(
      items.some((x) =>
        (x.baseModels as { models: Array<{ id: string; _id?: string }> } | undefined)?.models.some(
          (m) => !byId.has(m.id),
        ),
      ),
    ).toBe(true);
  });

  it('draws at least 99 % of 30-day downloads from registry organisations or their lineage', () => {
    const t = sim.universe.totalsAt(DAY);
    expect(t.attributable30d / t.downloads30d).toBeGreaterThanOrEqual(0.99);
    expect(t.attributable30d).toBeLessThan(t.downloads30d);
    expect(t.byRelation.merge).toBeGreaterThan(0);
    expect(t.byRelation.quantized).toBeGreaterThan(0);
  });

  it('evolves by day: new models, a late publication, a rename and a deletion', async () => {
    const u = sim.universe;
    const events = u.eventsOn(NEXT);
    const late = events.find((e) => e.type === 'late-public')!;
    const ren = events.find((e) => e.type === 'rename')!;
    const del = events.find((e) => e.type === 'delete')!;
    expect(late && ren && del).toBeTruthy();
    const before = await walk(
      `${hf}/api/models?sort=createdAt&limit=1000&expand[]=createdAt&expand[]=downloadsAllTime`,
    );
    const beforeIds = new Map(before.items.map((x) => [x.id, x]));
    expect(beforeIds.has(late.id)).toBe(false);
    expect((await get(`${hf}/api/models/${late.id}`)).status).toBe(401);
    expect(beforeIds.has(ren.id)).toBe(true);
    expect(beforeIds.has(del.id)).toBe(true);
    await post(`${hf}/__sim/day`, { day: NEXT });
    try {
      expect(sim.day()).toBe(NEXT);
      const after = await walk(
        `${hf}/api/models?sort=createdAt&limit=1000&expand[]=createdAt&expand[]=downloadsAllTime`,
      );
      const afterIds = new Map(after.items.map((x) => [x.id, x]));
      const fresh = u.createdOn(NEXT);
      expect(fresh.length).toBeGreaterThan(0);
      expect(
        after.items
          .slice(0, fresh.length)
          .map((x) => x.id)
          .sort(),
      ).toEqual([...fresh].sort());
      for (const id of fresh) expect((afterIds.get(id)!.createdAt as string).startsWith(NEXT)).toBe(true);
      // Late publication: appears today with a creation date months old.
      expect(afterIds.get(late.id)!.createdAt).toBe(late.createdAt);
      expect(Date.parse(NEXT) - Date.parse(late.createdAt)).toBeGreaterThan(50 * 86_400_000);
      // Rename: same _id, new id; the old id redirects to the new one.
      expect(afterIds.has(ren.id)).toBe(false);
      expect(afterIds.get(ren.newId!)!._id).toBe(beforeIds.get(ren.id)!._id);
      const moved = await get(`${hf}/api/models/${ren.id}?expand[]=createdAt`);
      expect(moved.status).toBe(307);
      expect(moved.headers.location).toBe(`/api/models/${ren.newId}?expand[]=createdAt`);
      expect((await get(`${hf}/api/models/${ren.newId}`)).status).toBe(200);
      // Deletion: 401, like any repo an anonymous request cannot see.
      expect(afterIds.has(del.id)).toBe(false);
      expect((await get(`${hf}/api/models/${del.id}`)).status).toBe(401);
      expect(after.items.length).toBe(before.items.length + fresh.length + 1 - 1);
      // All-time counts never fall except for the configured rare anomaly.
      const anomalies = new Set(u.anomaliesOn(NEXT));
      let grew = 0;
      for (const [id, b] of beforeIds) {
        const a = afterIds.get(id);
        if (!a || anomalies.has(id)) continue;
        expect(a.downloadsAllTime as number).toBeGreaterThanOrEqual(b.downloadsAllTime as number);
        if ((a.downloadsAllTime as number) > (b.downloadsAllTime as number)) grew++;
      }
      expect(grew).toBeGreaterThan(before.items.length / 4);
    } finally {
      sim.setDay(DAY);
    }
  });

  it('lands a counter batch mid-walk: a walk by downloads then skips or repeats models, one by createdAt does not', async () => {
    const expected = sim.universe.count(sim.universe.checkDay(DAY));
    const walkAll = async (sort: string) => {
      // Each walk starts on a fresh day counter (the batch lands after its second page).
      sim.setDay(NEXT);
      sim.setDay(DAY);
      sim.setFaults('huggingface', { rateLimit: null, counterBatchAfterPage: 2 });
      try {
        const { items } = await walk(`${hf}/api/models?sort=${sort}&limit=500&expand[]=downloads`, 1000);
        return items.map((x) => x.id);
      } finally {
        sim.setFaults('huggingface', { rateLimit: null });
      }
    };
    const byDownloads = await walkAll('downloads');
    const seen = new Set(byDownloads);
    // Moving counts under a keyset cursor: some models are never served, some twice.
    expect(seen.size).toBeLessThan(expected);
    expect(byDownloads.length).not.toBe(seen.size);
    const byCreation = await walkAll('createdAt');
    expect(byCreation.length).toBe(expected);
    expect(new Set(byCreation).size).toBe(expected);
  });

  it('serves short pages on request, and the cursor still reaches every model once', async () => {
    sim.setFaults('huggingface', { rateLimit: null, shortPages: true });
    try {
      const { items, pages } = await walk(`${hf}/api/models?sort=createdAt&limit=300&expand[]=createdAt`, 1000);
      const expected = sim.universe.count(sim.universe.checkDay(DAY));
      expect(new Set(items.map((x) => x.id)).size).toBe(expected);
      expect(items.length).toBe(expected);
      expect(pages).toBeGreaterThan(Math.ceil(expected / 300));
    } finally {
      sim.setFaults('huggingface', { rateLimit: null });
    }
  });

  it('works with @huggingface/hub listModels and modelInfo', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const got: Array<{ id: string; name: string; createdAt?: Date | string; author?: string; updatedAt: Date }> = [];
    for await (const m of listModels({
      hubUrl: hf,
      additionalFields: ['createdAt', 'author'],
      sort: 'createdAt',
      limit: 1200,
      fetch: counting,
    }))
      got.push(m);
    expect(got.length).toBe(1200);
    expect(calls).toBe(3);
    expect(new Set(got.map((m) => m.id)).size).toBe(1200);
    for (const m of got) {
      expect(m.id).toMatch(/^[0-9a-f]{24}$/);
      expect(m.name).toMatch(REPO_ID);
      expect(m.updatedAt.getTime()).not.toBeNaN();
      expect(m.author).toBe(m.name.split('/')[0]);
    }
    const info = await modelInfo({
      name: got[0]!.name,
      hubUrl: hf,
      additionalFields: ['cardData', 'createdAt'],
      fetch: counting,
    });
    expect(info.id).toBe(got[0]!.id);
    expect(info.name).toBe(got[0]!.name);
    await expect(modelInfo({ name: 'nobody/nothing', hubUrl: hf })).rejects.toMatchObject({ statusCode: 401 });
  });

  it('is deterministic: the same seed gives byte-identical answers, another seed does not', async () => {
    const twin = await startSim({ seed: 7, models: 4000, day: DAY, faults: { huggingface: { rateLimit: null } } });
    const other = await startSim({ seed: 8, models: 4000, day: DAY, faults: { huggingface: { rateLimit: null } } });
    try {
      for (const path of [
        '/api/models?sort=downloads&limit=1000&expand[]=cardData&expand[]=tags&expand[]=downloadsAllTime',
        '/api/models?sort=createdAt&limit=50&full=true',
      ]) {
        const a = await get(`${hf}${path}`);
        const b = await get(`${twin.urls.huggingface}${path}`);
        expect(b.text).toBe(a.text);
        expect((await get(`${other.urls.huggingface}${path}`)).text).not.toBe(a.text);
      }
      const first = (JSON.parse((await get(`${hf}/api/models?limit=1`)).text) as HfItem[])[0]!;
      expect((await get(`${twin.urls.huggingface}/api/models/${first.id}`)).text).toBe(
        (await get(`${hf}/api/models/${first.id}`)).text,
      );
    } finally {
      await twin.close();
      await other.close();
    }
  });

  it('sends weak ETags and honours If-None-Match', async () => {
    const a = await get(`${hf}/api/models?limit=5`);
    expect(a.headers.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]+"$/);
    const b = await get(`${hf}/api/models?limit=5`, { 'if-none-match': a.headers.etag! });
    expect(b.status).toBe(304);
  });
});

describe('Hugging Face rate limit and faults', () => {
  let sim: Sim;
  let hf: string;
  // A slow answer waits on this instead of a timer: the test sees how long the simulator meant to wait and ends the
  // wait itself.
  const slowWaits: Array<{ ms: number; over: () => void }> = [];
  let onSlowWait: (() => void) | null = null;
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((over) => {
      slowWaits.push({ ms, over });
      onSlowWait?.();
    });

  beforeAll(async () => {
    sim = await startSim({
      seed: 3,
      models: 600,
      day: DAY,
      faults: { huggingface: { rateLimit: { max: 5, windowMs: 60_000 } } },
      sleep,
    });
    hf = sim.urls.huggingface;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('has a fixed-window limit with RateLimit headers, then 429 with r=0 and Retry-After', async () => {
    const seen: string[] = [];
    for (let k = 0; k < 5; k++) {
      const r = await get(`${hf}/api/models?limit=1`);
      expect(r.status).toBe(200);
      expect(r.headers['ratelimit-policy']).toBe('"fixed window";"api";q=5;w=60');
      seen.push(r.headers.ratelimit!);
    }
    expect(seen.map((s) => /r=(\d+)/.exec(s)![1])).toEqual(['4', '3', '2', '1', '0']);
    const over = await get(`${hf}/api/models?limit=1`);
    expect(over.status).toBe(429);
    expect(over.headers.ratelimit).toMatch(/^"api";r=0;t=\d+$/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(over.text).error).toMatch(/rate limit/);
    // The default applies unless switched off with null.
    sim.setFaults('huggingface', {});
    expect(sim.faults('huggingface').rateLimit).toEqual({ max: 500, windowMs: 300_000 });
    sim.setFaults('huggingface', { rateLimit: null });
    const free = await get(`${hf}/api/models?limit=1`);
    expect(free.headers.ratelimit).toBeUndefined();
  });

  it('answers 5xx bursts, slow answers, truncated bodies, malformed items and hostile text when asked', async () => {
    sim.setFaults('huggingface', { rateLimit: null, error5xxRate: 1 });
    const err = await get(`${hf}/api/models?limit=2`);
    expect([502, 503]).toContain(err.status);

    sim.setFaults('huggingface', { rateLimit: null, slowRate: 1, slowMs: 150 });
    const slowWaitAsked = new Promise<void>((r) => (onSlowWait = r));
    let answered = false;
    const slow = get(`${hf}/api/models?limit=2`).then((r) => {
      answered = true;
      return r;
    });
    await slowWaitAsked;
    expect(slowWaits.map((w) => w.ms)).toEqual([150]);
    // A whole round trip on an admin route (never slowed) gives an answer that did not wait the time to arrive.
    expect((await get(`${hf}/__sim/state`)).status).toBe(200);
    expect(answered).toBe(false);
    slowWaits[0]!.over();
    expect((await slow).status).toBe(200);

    sim.setFaults('huggingface', { rateLimit: null, truncateRate: 1 });
    let broken = 0;
    for (let k = 0; k < 6; k++) {
      try {
        JSON.parse((await get(`${hf}/api/models?limit=200`)).text);
      } catch {
        broken++;
      }
    }
    expect(broken).toBe(6);

    sim.setFaults('huggingface', { rateLimit: null, malformedRate: 1 });
    const bad = JSON.parse((await get(`${hf}/api/models?limit=100`)).text) as Array<Record<string, unknown>>;
    for (const x of bad) {
      const broke =
        x.downloads === null ||
        typeof x.tags === 'string' ||
        typeof x.likes === 'string' ||
        x.createdAt === null ||
        !('id' in x) ||
        typeof x._id === 'number';
      expect(broke).toBe(true);
    }

    sim.setFaults('huggingface', { rateLimit: null, hostileRate: 1 });
    const hostile = JSON.parse(
      (await get(`${hf}/api/models?limit=300&expand[]=cardData&expand[]=tags`)).text,
    ) as HfItem[];
    const text = JSON.stringify(hostile.map((x) => x.cardData));
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('\u202E');
    expect(hostile.some((x) => JSON.stringify(x.cardData).length > 10_000)).toBe(true);
    for (const x of hostile) expect(x.id).toMatch(REPO_ID);
    sim.setFaults('huggingface', { rateLimit: null });
  });

  it('takes day and faults from a separate process through loopback admin routes', async () => {
    expect((await post(`${hf}/__sim/faults`, { error5xxRate: 1, rateLimit: null })).status).toBe(200);
    expect(sim.faults('huggingface').error5xxRate).toBe(1);
    expect((await post(`${hf}/__sim/faults`, { rateLimit: null })).status).toBe(200);
    expect((await post(`${sim.urls.modelscope}/__sim/day`, { day: NEXT })).status).toBe(200);
    expect(sim.day()).toBe(NEXT);
    expect((await post(`${hf}/__sim/day`, { day: 'tomorrow' })).status).toBe(400);
    expect(sim.day()).toBe(NEXT);
    sim.setDay(DAY);
  });
});
