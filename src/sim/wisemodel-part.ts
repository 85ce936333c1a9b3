// What the three parts of the simulated WiseModel site (its GitLab API, its gateway, the HTML fixture) share: one
// universe and its WiseModel catalogue, the simulated day, and the site's 404 page for paths no part serves.
import type { Reply } from './http.js';
import type { Universe } from './universe.js';
import type { WmCatalogue } from './wisemodel-catalogue.js';

export interface WmSiteContext {
  readonly u: Universe;
  readonly dayN: () => number;
  /** The site's 404 page: what a path answers where the part that would serve it is not behind the host. */
  readonly notFound: () => Reply;
}

export abstract class WmPart {
  constructor(protected readonly site: WmSiteContext) {}

  protected get u(): Universe {
    return this.site.u;
  }

  protected get wm(): WmCatalogue {
    return this.site.u.wm;
  }

  protected dayN(): number {
    return this.site.dayN();
  }
}
