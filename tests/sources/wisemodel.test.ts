import { afterEach, describe, expect, it } from 'vitest';
import { PageFailedError } from '../../src/errors.js';
import { pino } from 'pino';
import { silentLogger, type Logger } from '../../src/log.js';
import { loadConfig } from '../../src/config.js';
import {
  cutJsonLiteral,
  parseCount,
  parseDate,
  parseWiseModelPage,
  unflattenDevalue,
} from '../../src/sources/wisemodel/parser.js';
import { parseRobots } from '../../src/sources/wisemodel/robots.js';
import { readInstant, relativeInstant } from '../../src/sources/wisemodel/times.js';
import {
  RobotsDisallowedError,
  createWiseModelSource,
  type WiseModelSource,
} from '../../src/sources/wisemodel/index.js';
import { WaitClock, collect, fakeServer, fixture, testConfig, type FakeServer } from './helpers.js';

const selectors = loadConfig({}).file.sources.wisemodel.selectors;

const servers: FakeServer[] = [];
const sources: WiseModelSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('WiseModel parser', () => {
  it('reads the server-rendered HTML with the configured selectors', () => {
    const p = parseWiseModelPage(fixture('wisemodel/list-html.html'), selectors, {
      url: 'https://www.wisemodel.cn/models?page=2&sort=newest',
    });
    expect(p.form).toBe('html');
    expect(p.kind).toBe('list');
    expect(p.problems).toEqual([]);
    expect(p.next).toBe('/models?page=3&sort=newest');
    expect(p.items).toEqual([
      expect.objectContaining({
        owner: 'ZhipuAI',
        name: 'GLM-4-9B-Chat',
        downloads: 12345,
        likes: 87,
        license: '其他',
        task: '文本生成',
        updatedAt: '2024-06-05T08:00:00.000Z',
      }),
      expect.objectContaining({
        owner: '01.AI',
        name: 'Yi-1.5-34B-Chat',
        downloads: 3400,
        likes: 1024,
        license: 'Apache License 2.0',
        title: 'Yi-1.5-34B-Chat <script>alert(1)</script>',
      }),
      // `2024年1月3日` carries no zone: Beijing midnight.
      expect.objectContaining({
        owner: 'Netease_Youdao',
        name: 'bce-embedding-base_v1',
        downloads: 999,
        createdAt: '2024-01-02T16:00:00.000Z',
      }),
    ]);
  });

  it('prefers __NEXT_DATA__ state, mapping common field names', () => {
    const p = parseWiseModelPage(fixture('wisemodel/list-next-data.html'), selectors, {
      url: 'https://www.wisemodel.cn/models?page=2&sort=newest',
    });
    expect(p.form).toBe('embedded');
    expect(p.items).toHaveLength(3);
    // updated_at `2024-06-06 10:30:00` has no zone: Beijing time, 02:30 UTC.
    expect(p.items[0]).toMatchObject({
      owner: 'ZhipuAI',
      name: 'GLM-4-9B-Chat',
      downloads: 12345,
      likes: 87,
      createdAt: '2024-06-05T08:00:00.000Z',
      updatedAt: '2024-06-06T02:30:00.000Z',
      tags: ['chat', '中文'],
    });
    expect(p.items[1]).toMatchObject({
      owner: '01.AI',
      name: 'Yi-1.5-34B-Chat',
      downloads: 3400,
      likes: 1024,
      license: 'Apache License 2.0',
      task: 'text-generation',
      createdAt: '2024-05-06T12:53:20.000Z',
    });
    expect(p.items[2]).toMatchObject({
      owner: 'someone',
      name: 'Yi-ft-lora',
      baseModels: ['01.AI/Yi-1.5-34B-Chat'],
      tags: ['lora', '微调'],
    });
    expect(p.next).toBe('https://www.wisemodel.cn/models?page=3&sort=newest');
  });

  it('reads window.__NUXT__ when it is a JSON literal (strings with braces included)', () => {
    const p = parseWiseModelPage(fixture('wisemodel/list-nuxt-json.html'), selectors, {
      url: 'https://www.wisemodel.cn/models?page=4&sort=downloads',
    });
    expect(p.form).toBe('embedded');
    expect(p.items.map((i) => `${i.owner}/${i.name}:${i.downloads}`)).toEqual([
      'ZhipuAI/GLM-4-9B-Chat:12345',
      'BAAI/bge-m3:777',
    ]);
    expect(p.next).toBeNull(); // hasMore: false
  });

  it('never evaluates the IIFE form: it notes it and reads the HTML', () => {
    const p = parseWiseModelPage(fixture('wisemodel/list-nuxt-iife.html'), selectors, {
      url: 'https://www.wisemodel.cn/models?page=1&sort=downloads',
    });
    expect((globalThis as Record<string, unknown>).__hubwatchEvaluated).toBeUndefined();
    expect(p.form).toBe('html');
    expect(p.items.map((i) => `${i.owner}/${i.name}`)).toEqual(['BAAI/bge-m3']);
    expect(p.problems.join(' ')).toMatch(/IIFE/);
  });

  it('reads a model page: id from the URL, base models from links, tags, dates', () => {
    const p = parseWiseModelPage(fixture('wisemodel/model-html.html'), selectors, {
      url: 'https://www.wisemodel.cn/models/someone/Yi-ft-lora',
    });
    expect(p.kind).toBe('model');
    expect(p.items).toEqual([
      {
        owner: 'someone',
        name: 'Yi-ft-lora',
        title: 'Yi-ft-lora \u202Egnp.exe\u202C',
        downloads: 1234,
        likes: 12,
        license: 'apache-2.0',
        task: 'text-generation',
        createdAt: '2024-05-07T01:15:00.000Z',
        updatedAt: '2024-05-07T16:00:00.000Z',
        baseModels: ['01.AI/Yi-1.5-34B-Chat'],
        tags: ['lora', '微调'],
      },
    ]);
  });

  it('guesses the page kind from the content when no URL is given (inspect on a saved file)', () => {
    const model = parseWiseModelPage(fixture('wisemodel/model-html.html'), selectors);
    expect(model.kind).toBe('model');
    expect(model.items.map((i) => `${i.owner}/${i.name}`)).toEqual(['someone/Yi-ft-lora']); // id from rel=canonical
    const state = `<script id="__NEXT_DATA__" type="application/json">${JSON.stringify({ props: { pageProps: { model: { owner: 'BAAI', name: 'bge-m3', downloads: 5 } } } })}</script>`;
    const embedded = parseWiseModelPage(state, selectors);
    expect(embedded).toMatchObject({
      kind: 'model',
      form: 'embedded',
      items: [{ owner: 'BAAI', name: 'bge-m3', downloads: 5 }],
    });
    expect(parseWiseModelPage(fixture('wisemodel/list-html.html'), selectors).kind).toBe('list');
  });

  it('reports drift: a changed layout yields no models and says which selector matched nothing', () => {
    const p = parseWiseModelPage(fixture('wisemodel/list-drift.html'), selectors, {
      url: 'https://www.wisemodel.cn/models?page=1&sort=downloads',
    });
    expect(p.items).toEqual([]);
    expect(p.problems.join(' ')).toContain(selectors.listItem);
    // An operator follows the change through config, without a release:
    const fixed = parseWiseModelPage(
      fixture('wisemodel/list-drift.html'),
      { ...selectors, listItem: 'div.card', listLink: 'a.card-title', downloads: 'em.dl' },
      { url: 'https://www.wisemodel.cn/models?page=1&sort=downloads' },
    );
    expect(fixed.items.map((i) => i.downloads)).toEqual([12345, 3400]);
    expect(fixed.next).toBe('/models?page=2&sort=downloads');
  });

  it('rejects list models without downloads (a stale selector) and says so', () => {
    const p = parseWiseModelPage(
      fixture('wisemodel/list-html.html'),
      { ...selectors, downloads: '.gone' },
      { url: 'https://www.wisemodel.cn/models?page=1' },
    );
    expect(p.items).toEqual([]);
    expect(p.rejected).toHaveLength(3);
    expect(p.problems.join(' ')).toMatch(/3 of 3 models rejected: missing downloads/);
  });

  it('reads counts and dates as pages write them: no zone means Beijing time', () => {
    expect(parseCount('1.2万')).toBe(12000);
    expect(parseCount('3.4k')).toBe(3400);
    expect(parseCount('1,024 次下载')).toBe(1024);
    expect(parseCount('—')).toBeNull();
    expect(parseDate('2024年1月3日')).toBe('2024-01-02T16:00:00.000Z');
    expect(parseDate('2024-06-06 10:30:00')).toBe('2024-06-06T02:30:00.000Z');
    expect(parseDate('2024-06-06T10:30:00+08:00')).toBe('2024-06-06T02:30:00.000Z');
    expect(parseDate('2024-06-06T10:30:00Z')).toBe('2024-06-06T10:30:00.000Z');
    expect(parseDate('2024-05-07T12:27:17.016+08:00')).toBe('2024-05-07T04:27:17.016Z');
    expect(parseDate(1715000000)).toBe('2024-05-06T12:53:20.000Z');
    expect(parseDate('soon')).toBeNull();
  });

  it('reads relative dates against the fetch time, cut to their own precision in Beijing time', () => {
    // 2026-11-20 09:30 in Beijing.
    const now = new Date('2026-11-20T01:30:00.000Z');
    expect(relativeInstant('刚刚', now)).toBe('2026-11-20T01:30:00.000Z');
    expect(relativeInstant('5 分钟前', now)).toBe('2026-11-20T01:25:00.000Z');
    expect(relativeInstant('2 小时前', now)).toBe('2026-11-19T23:00:00.000Z');
    // Three days back is 2026-11-17 in Beijing, whose day starts at 16:00 UTC the evening before.
    expect(relativeInstant('3天前', now)).toBe('2026-11-16T16:00:00.000Z');
    expect(relativeInstant('3天前', new Date('2026-11-20T15:59:00.000Z'))).toBe('2026-11-16T16:00:00.000Z');
    expect(relativeInstant('昨天 14:30', now)).toBe('2026-11-19T06:30:00.000Z');
    expect(relativeInstant('昨天', now)).toBe('2026-11-18T16:00:00.000Z');
    expect(relativeInstant('2 weeks ago', now)).toBe('2026-11-05T16:00:00.000Z');
    expect(relativeInstant('3天后', now)).toBeNull();
    // Without the fetch time relative dates are not guessed.
    expect(readInstant('3天前')).toBeNull();
    expect(readInstant('3天前', now)).toBe('2026-11-16T16:00:00.000Z');
    // A month and day without a year: this year, or last year when that is still to come.
    expect(readInstant('11月3日', now)).toBe('2026-11-02T16:00:00.000Z');
    expect(readInstant('12月3日', now)).toBe('2025-12-02T16:00:00.000Z');
    expect(parseDate('3天前', now)).toBe('2026-11-16T16:00:00.000Z');
  });

  it('names a client-rendered app shell as such: nothing to read', () => {
    // Vue CLI's default page: a noscript notice, an empty mount, hashed bundles.
    const shell =
      '<!doctype html><html><head><title>始智AI</title><link rel="stylesheet" href="/css/app.31fb6580.css"></head><body><noscript><strong>We\'re sorry but it doesn\'t work properly without JavaScript enabled.</strong></noscript><div id="app"></div><script src="/js/chunk-vendors.9a1c2e.js"></script><script src="/js/app.4e2b7d.js"></script></body></html>';
    const p = parseWiseModelPage(shell, selectors, { url: 'https://www.wisemodel.cn/models?page=1' });
    expect(p).toMatchObject({ items: [], rejected: [], shell: true });
    expect(p.problems.join(' ')).toMatch(/client-rendered app shell/);
    expect(
      parseWiseModelPage(fixture('wisemodel/list-drift.html'), selectors, {
        url: 'https://www.wisemodel.cn/models?page=1',
      }).shell,
    ).toBe(false);
  });

  it('unflattens Nuxt 3 devalue payloads and cuts JSON literals safely', () => {
    const flat = [
      ['Reactive', 1],
      { data: 2 },
      { list: 3 },
      [4],
      { owner: 5, name: 6, downloads: 7 },
      'BAAI',
      'bge-m3',
      9,
    ];
    expect(unflattenDevalue(flat)).toEqual({ data: { list: [{ owner: 'BAAI', name: 'bge-m3', downloads: 9 }] } });
    expect(cutJsonLiteral('x={"a":"}"};y', 2)).toBe('{"a":"}"}');
    expect(cutJsonLiteral('x={"a":1', 2)).toBeNull();
    const html = `<script type="application/json" id="__NUXT_DATA__">${JSON.stringify(flat)}</script>`;
    const p = parseWiseModelPage(html, selectors, { url: 'https://www.wisemodel.cn/models?page=1' });
    expect(p.form).toBe('embedded');
    expect(p.items).toEqual([expect.objectContaining({ owner: 'BAAI', name: 'bge-m3', downloads: 9 })]);
  });

  it("reads Nuxt's own payload types, devalue's sentinels and dates as text, and refuses an unknown type", () => {
    // As Nuxt writes it: a ShallowReactive root, an EmptyRef holding JSON text, undefined as -1, a Date.
    const flat = [
      ['ShallowReactive', 1],
      { data: 2, pending: 3, error: -1 },
      { at: 4 },
      ['EmptyRef', 5],
      ['Date', '2026-11-02T16:00:00.000Z'],
      'false',
    ];
    expect(unflattenDevalue(flat)).toEqual({
      data: { at: '2026-11-02T16:00:00.000Z' },
      pending: false,
      error: undefined,
    });
    expect(() => unflattenDevalue([['AppOwnType', 1], { a: 2 }, 1])).toThrow();
    const html = `<script type="application/json" id="__NUXT_DATA__">${JSON.stringify([['AppOwnType', 1], {}])}</script><ul class="model-list"></ul>`;
    const p = parseWiseModelPage(html, selectors, { url: 'https://www.wisemodel.cn/models?page=1' });
    expect(p.problems.join(' ')).toMatch(
      /__NUXT_DATA__ is not a devalue payload hubwatch can read .*read the HTML instead/,
    );
  });
});

describe('robots.txt', () => {
  it('uses our group, else *, longest match, Allow wins ties, wildcards and $', () => {
    const r = parseRobots(
      [
        'User-agent: *',
        'Disallow: /',
        '',
        'User-agent: hubwatch',
        'User-agent: other',
        'Disallow: /models?*sort=downloads',
        'Allow: /models',
        'Disallow: /private$',
        'Crawl-delay: 3',
      ].join('\n'),
      'hubwatch',
    );
    expect(r.isAllowed('/models?page=1&sort=newest')).toBe(true);
    expect(r.isAllowed('/models?page=1&sort=downloads')).toBe(false);
    expect(r.isAllowed('/private')).toBe(false);
    expect(r.isAllowed('/private/x')).toBe(true);
    expect(r.crawlDelayMs).toBe(3000);
    const star = parseRobots('User-agent: *\nDisallow: /models/\nAllow: /models/ok/', 'hubwatch');
    expect(star.isAllowed('/models?page=1')).toBe(true);
    expect(star.isAllowed('/models/a/b')).toBe(false);
    expect(star.isAllowed('/models/ok/b')).toBe(true);
  });

  it('takes the group named exactly by our token, not one whose name is a substring of it', () => {
    // "hub" and "watch" are inside "hubwatch"; those groups belong to other crawlers.
    const r = parseRobots(
      [
        'User-agent: hub',
        'Disallow: /',
        '',
        'User-agent: watch',
        'Crawl-delay: 30',
        '',
        'User-agent: *',
        'Disallow: /private',
      ].join('\n'),
      'hubwatch',
    );
    expect(r.isAllowed('/models?page=1')).toBe(true);
    expect(r.isAllowed('/private')).toBe(false);
    expect(r.crawlDelayMs).toBeNull();
    const versioned = parseRobots('User-agent: HubWatch/2.0\nDisallow: /models\n', 'hubwatch');
    expect(versioned.isAllowed('/models?page=1')).toBe(false);
  });

  it('reads an empty User-agent line as naming nobody, not everybody', () => {
    const r = parseRobots(
      ['User-agent:', 'Disallow: /', '', 'User-agent: *', 'Disallow: /gateway/'].join('\n'),
      'hubwatch',
    );
    expect(r.isAllowed('/models?page=1')).toBe(true);
    expect(r.isAllowed('/gateway/x')).toBe(false);
    expect(parseRobots('User-agent:\nDisallow: /\n', 'hubwatch').isAllowed('/models')).toBe(true);
  });
});

/** A fake WiseModel host: robots.txt, list pages (3 pages of the HTML fixture shape) and model pages. */
async function fakeWm(
  o: { robots?: string | null; listDrift?: number; listStatus?: (n: number) => number } = {},
): Promise<FakeServer> {
  const listPage = (page: number, sort: string): string => {
    const base = fixture('wisemodel/list-html.html');
    let html = base
      .replaceAll('GLM-4-9B-Chat', `GLM-p${page}`)
      .replaceAll('Yi-1.5-34B-Chat', `Yi-p${page}`)
      .replaceAll('bce-embedding-base_v1', `bce-p${page}`)
      .replace('/models?page=3&amp;sort=newest', page < 3 ? `/models?page=${page + 1}&amp;sort=${sort}` : '');
    if (page >= 3) html = html.replace(/<a rel="next"[^>]*>[^<]*<\/a>/, '');
    if (o.listDrift === page) html = fixture('wisemodel/list-drift.html');
    return html;
  };
  const s = await fakeServer((req, res, n): void => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/robots.txt') {
      if (o.robots === null) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(o.robots ?? 'User-agent: *\nAllow: /\n');
      return;
    }
    if (url.pathname === '/models') {
      const status = o.listStatus?.(n) ?? 200;
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        status === 200
          ? listPage(Number(url.searchParams.get('page') ?? 1), url.searchParams.get('sort') ?? '')
          : 'busy',
      );
      return;
    }
    const m = /^\/models\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (m) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        fixture('wisemodel/model-html.html')
          .replace('https://www.wisemodel.cn/models/someone/Yi-ft-lora', `/models/${m[1]}/${m[2]}`)
          .replace('Yi-ft-lora <span>', `${decodeURIComponent(m[2]!)} <span>`),
      );
      return;
    }
    res.writeHead(404);
    res.end();
  });
  servers.push(s);
  return s;
}

/** The HTML strategy alone, unless the overrides say otherwise (these tests are about reading pages). */
function source(
  url: string,
  overrides: Record<string, unknown> = {},
  enrichNewest = true,
  logger: Logger = silentLogger,
  clock?: WaitClock,
) {
  const src = createWiseModelSource({
    config: testConfig({ wisemodel: url }, { wisemodel: { strategies: ['html'], ...overrides } }),
    logger,
    rateLimitMode: 'wait',
    http: { keepAliveTimeoutMs: 50, ...clock?.options },
    enrichNewest,
  });
  sources.push(src);
  return src;
}

describe('WiseModel HTML fallback against a fake host', () => {
  it('is tried when no GitLab answers at the host: the projects list is asked first, then robots.txt and the pages', async () => {
    const wm = await fakeWm();
    const src = source(wm.url, { strategies: ['gitlab', 'html'] });
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3]);
    expect(pages.map((p) => p.next)).toEqual(['html:2', 'html:3', null]);
    expect(wm.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/api/v4/projects',
      '/robots.txt',
      '/models',
      '/models',
      '/models',
    ]);
    expect(src.strategy).toBe('html');
    const report = src.sweepReport!({ recordsSeen: 9, resumed: false });
    expect(report.complete).toBe(true);
    expect(report.notes[0]).toMatch(
      /HTML list pages, the fallback strategy \(evidence: none: .*GitLab projects list at .*: HTTP 404/,
    );
  });

  it('reads robots.txt once, then sweeps the list pages by downloads following rel=next, one request at a time', async () => {
    const wm = await fakeWm();
    const clock = new WaitClock();
    const src = source(wm.url, { delayMs: 30 }, true, silentLogger, clock);
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3]);
    expect(pages.map((p) => p.next)).toEqual(['html:2', 'html:3', null]);
    expect(pages.every((p) => !p.degraded && p.quarantine.length === 0)).toBe(true);
    expect(wm.requests.map((r) => r.url)).toEqual([
      '/robots.txt',
      '/models?page=1&sort=downloads',
      '/models?page=2&sort=downloads',
      '/models?page=3&sort=downloads',
    ]);
    expect(clock.waits).toEqual([30, 30, 30]); // the configured delay before every request after the first
    expect(wm.requests[1]!.headers['user-agent']).toContain('contact: https://github.com/hubwatch/hubwatch/issues');
    expect(src.counters).toMatchObject({ requests: 4, pages: 3 });
    // resume, from this cursor and from a bare page number (a checkpoint written before the GitLab strategy)
    expect((await collect(src.sweep({ cursor: 'html:3' }))).map((p) => p.items[0]!.name)).toEqual(['GLM-p3']);
    expect((await collect(src.sweep({ cursor: '3' }))).map((p) => p.items[0]!.name)).toEqual(['GLM-p3']);
  });

  it('listNewest reads each listed model page and merges what the card leaves out', async () => {
    const wm = await fakeWm();
    const src = source(wm.url);
    const it = src.listNewest()[Symbol.asyncIterator]();
    const page = (await it.next()).value!;
    await it.return?.(undefined);
    expect(page.items[0]).toMatchObject({
      owner: 'ZhipuAI',
      name: 'GLM-p1',
      downloads: 1234,
      license: 'apache-2.0',
      baseModels: ['01.AI/Yi-1.5-34B-Chat'],
      createdAt: '2024-05-07T01:15:00.000Z',
    });
    expect(wm.requests.map((r) => r.url)).toEqual([
      '/robots.txt',
      '/models?page=1&sort=newest',
      '/models/ZhipuAI/GLM-p1',
      '/models/01.AI/Yi-p1',
      '/models/Netease_Youdao/bce-p1',
    ]);
    expect(src.orderTime(page.items[0])).toBe('2024-05-07T01:15:00.000Z');
  });

  it('marks a drifted page degraded, logs it at error level, quarantines it whole', async () => {
    const wm = await fakeWm({ listDrift: 2 });
    const lines: Array<{ level: number; msg: string; url?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const src = source(wm.url, {}, true, logger);
    const pages = await collect(src.sweep());
    expect(pages.map((p) => p.items.length)).toEqual([3, 0]);
    const bad = pages[1]!;
    expect(bad.degraded).toBe(true);
    expect(bad.quarantine).toHaveLength(1);
    expect(bad.quarantine[0]).toMatchObject({
      platform: 'wisemodel',
      kind: 'page',
      ref: `${wm.url}/models?page=2&sort=downloads`,
    });
    expect(bad.quarantine[0]!.reason).toContain('ul.model-list > li.model-item');
    expect(bad.quarantine[0]!.payload).toContain('class="card"');
    // The drifted page's next link points at itself (page=2): a link that does not advance is not followed.
    expect(bad.next).toBeNull();
    expect(pages[0]!.degraded).toBeUndefined();
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/layout drift/);
    expect(errors[0]!.url).toBe(`${wm.url}/models?page=2&sort=downloads`);
  });

  it('does not fetch what robots.txt disallows, and says so', async () => {
    const wm = await fakeWm({
      robots: 'User-agent: *\nAllow: /\n\nUser-agent: hubwatch\nDisallow: /models?*sort=downloads\n',
    });
    const src = source(wm.url);
    const err = await collect(src.sweep()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RobotsDisallowedError);
    expect((err as Error).message).toContain('/models?page=1&sort=downloads');
    expect(wm.requests.map((r) => r.url)).toEqual(['/robots.txt']);
    const again = await collect(src.sweep()).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RobotsDisallowedError);
    expect(wm.requests).toHaveLength(1); // robots.txt read once
  });

  it('treats a missing robots.txt as no rules and honours a Crawl-delay', async () => {
    const missing = await fakeWm({ robots: null });
    const a = source(missing.url);
    expect((await collect(a.sweep())).length).toBe(3);

    const slow = await fakeWm({ robots: 'User-agent: *\nCrawl-delay: 0.2\n' });
    const clock = new WaitClock();
    const b = source(slow.url, { delayMs: 0 }, true, silentLogger, clock);
    await collect(b.sweep());
    expect(clock.waits).toEqual([200, 200, 200]); // robots.txt's Crawl-delay, not the configured 0, before each page
    expect(b.http.delayMs).toBe(200);
  });

  it('retries a 503 page and fails it with PageFailedError when it keeps failing', async () => {
    const wm = await fakeWm({ listStatus: (n) => (n >= 1 ? 503 : 200) });
    const src = source(wm.url, { maxRetries: 1 });
    await expect(collect(src.sweep())).rejects.toBeInstanceOf(PageFailedError);
    expect(wm.requests.filter((r) => r.url.startsWith('/models'))).toHaveLength(2);
  });
});
