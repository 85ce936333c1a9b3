// WiseModel (wisemodel.cn) as the evidence shows it (research note §B, §E; samples/wisemodel/SOURCE.md):
//
// - The site is a client-rendered application: every page route answers 200 with the same shell (an empty
//   `<div id="app">` and hashed script bundles, like the `img/logo.31fb6580.png` the SDK links to), whatever the
//   path, as a history-mode single-page app behind nginx does. There is nothing in it to read without running its
//   JavaScript. The server-rendered pages hubwatch once assumed are kept only as the HTML fallback's fixture, behind
//   `SimFaults.wmHtmlFixture` (src/sim/wisemodel-html.ts).
// - A GitLab v4 API on the same host (src/sim/wisemodel-gitlab.ts).
// - The JSON gateway with its envelope, codes and login token (src/sim/wisemodel-gateway.ts).
// - robots.txt allowing the pages and keeping crawlers out of /gateway/ and /api/ (as GitLab's stock robots.txt
//   keeps them out of /api).
//
// All three read the same WmCatalogue, so a model's likes are its star_count and its downloads are the same in the
// fixture's pages and the gateway. `SimFaults.wmDrift` (src/sim/wisemodel-faults.ts) switches the drifts on.
import {
  html,
  type PlatformContext,
  type PlatformHooks,
  type RateState,
  type Reply,
  type RequestInfo,
} from './http.js';
import type { Universe } from './universe.js';
import { WmGateway } from './wisemodel-gateway.js';
import { WmGitlab } from './wisemodel-gitlab.js';
import { WmHtmlFixture, appShell, type WisemodelForm } from './wisemodel-html.js';

export { escapeHtml, WM_PAGE_SIZE, type WisemodelForm, type WmItem } from './wisemodel-html.js';

export const ROBOTS_TXT =
  'User-agent: *\nAllow: /models\nAllow: /organization\nDisallow: /gateway/\nDisallow: /api/\nDisallow: /my-token\n';

export class WmSite implements PlatformHooks {
  readonly platform = 'wisemodel' as const;
  readonly fixture: WmHtmlFixture;
  readonly gitlab: WmGitlab;
  readonly gateway: WmGateway;

  constructor(
    readonly u: Universe,
    readonly dayN: () => number,
    form: () => WisemodelForm,
  ) {
    const site = { u, dayN, notFound: (): Reply => this.fixture.notFound() };
    this.fixture = new WmHtmlFixture(site, form);
    this.gitlab = new WmGitlab(site);
    this.gateway = new WmGateway(site);
  }

  handle(req: RequestInfo, ctx: PlatformContext): Reply {
    if (req.path === '/api/v4' || req.path.startsWith('/api/v4/')) return this.gitlab.handle(req, ctx);
    if (req.path.startsWith('/gateway/')) return this.gateway.handle(req, ctx);
    if (req.method !== 'GET' && req.method !== 'HEAD') return html(405, '<h1>405</h1>');
    if (req.path === '/robots.txt')
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: ROBOTS_TXT };
    if (ctx.faults.wmHtmlFixture) return this.fixture.handle(req, ctx) ?? this.fixture.notFound();
    return html(200, appShell('始智AI wisemodel 中立开放的AI开源社区'));
  }

  rateLimited(rate: RateState): Reply {
    return html(
      429,
      '<html><head><title>429 Too Many Requests</title></head><body><h1>访问过于频繁</h1></body></html>',
      { 'retry-after': String(rate.resetSec) },
    );
  }

  serverError(status: number): Reply {
    return html(
      status,
      `<html><head><title>${status}</title></head><body><center><h1>${status} ${status === 503 ? 'Service Temporarily Unavailable' : 'Bad Gateway'}</h1></center><hr><center>nginx</center></body></html>`,
    );
  }
}
