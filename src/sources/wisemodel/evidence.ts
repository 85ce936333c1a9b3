// What each way of reading WiseModel rests on, said once here and repeated in coverage notes, `hubwatch probe` and
// docs/method.md. Levels follow the research note's tags (../shared/research/modelscope-wisemodel.md): `official`
// (read in WiseModel's own code), `inferred` (a reasoned guess), `none` (no evidence at all).
import type { Config } from '../../config.js';

export type WmStrategy = 'gitlab' | 'html';

export interface StrategyEvidence {
  level: string;
  /** What the evidence is, in one sentence. */
  rests: string;
  /** The figures it can give. */
  gives: string;
}

export const EVIDENCE: Record<WmStrategy | 'gateway', StrategyEvidence> = {
  gitlab: {
    level: 'official + inferred',
    rests:
      "WiseModel's SDK reads projects anonymously through GitLab v4 on wisemodel.cn (wisemodel-hub utils.py, python-gitlab; its notebook shows the answer) [official]; that the projects list is open there is inferred from GitLab's defaults, not seen",
    gives:
      "new releases and the catalogue (created_at, by id), likes (star_count, taken for the site's likes [inferred]); no downloads, licence, task or base models",
  },
  gateway: {
    level: 'official envelope, operator-supplied endpoint',
    rests:
      "the gateway's envelope {code, message, data}, its codes (0, 10003, B2002) and its login JWT are in WiseModel's SDK [official]; no endpoint giving download counts is known: its path and fields come from the operator's config",
    gives: "downloads (and the site's likes, when mapped)",
  },
  html: {
    level: 'none',
    rests:
      'no WiseModel page was ever seen; the site is most likely a client-rendered Vue app (hashed asset names) [inferred], so these list pages are a guess kept as a fallback',
    gives:
      'whatever the configured selectors or embedded state find: downloads, likes, licence, task, dates, base models',
  },
};

/** The hosts of the real WiseModel. */
const REAL_HOST = /(^|\.)wisemodel\.cn$/i;

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export interface WmEndpoints {
  site: string;
  /** GitLab's base URL (its API is `${gitlab}/api/v4`). */
  gitlab: string;
  /** Whether the configured GitLab URL on wisemodel.cn was replaced by the site URL (a simulator, a mirror). */
  gitlabRebased: boolean;
  gateway: string;
}

/**
 * Where each surface is asked. A GitLab or gateway URL on wisemodel.cn follows HUBWATCH_WISEMODEL_URL while that
 * points elsewhere: pointing hubwatch at a simulator or a mirror must never send a request to the real site.
 */
export function endpoints(config: Config): WmEndpoints {
  const site = config.urls.wisemodel;
  const s = config.file.sources.wisemodel;
  const away = !REAL_HOST.test(hostOf(site));
  const rebase = (url: string): string => (away && REAL_HOST.test(hostOf(url)) ? site : url);
  const gitlab = rebase(s.gitlab.url);
  return {
    site,
    gitlab,
    gitlabRebased: gitlab !== s.gitlab.url,
    gateway: s.gateway.url === null ? site : rebase(s.gateway.url),
  };
}

/** The config keys that turn WiseModel's figures on, for messages. */
export const CONFIG_KEYS =
  'sources.wisemodel.gitlab.url (the WiseModel GitLab instance), sources.wisemodel.gitlab.pagination, ' +
  'sources.wisemodel.gateway.downloads (the gateway endpoint that lists download counts, and its field mapping) ' +
  'and the WISEMODEL_TOKEN environment variable (the gateway login)';

/** Said when no enumeration strategy could read WiseModel. */
export function degradedMessage(tried: readonly string[]): string {
  return (
    `wisemodel: no strategy could list the catalogue (${tried.join('; ')}). ` +
    `Run \`hubwatch probe --platform wisemodel\` to see what answers, then set ${CONFIG_KEYS}.`
  );
}
