// robots.txt after RFC 9309, read by robots-parser: the group named exactly by our product token (case-insensitive,
// a `/version` suffix ignored), else `*`; an empty `User-agent:` names nobody; Allow/Disallow with `*` and `$`, the
// longest match wins and Allow wins a tie. `Crawl-delay` (not in the RFC, widely used) is read for the same group.
import robotsParserModule from 'robots-parser';

// robots-parser is CommonJS (`module.exports = fn`) and its types declare a default export; under NodeNext the
// default import is the module object to the type checker and the function at run time.
const robotsParser = ((robotsParserModule as unknown as { default?: unknown }).default ??
  robotsParserModule) as typeof robotsParserModule.default;

export interface RobotsRules {
  /** Whether a path (with its query) may be fetched. */
  isAllowed(pathWithQuery: string): boolean;
  /** Crawl-delay for our group in ms, or null. */
  crawlDelayMs: number | null;
}

export const ALLOW_ALL: RobotsRules = { isAllowed: () => true, crawlDelayMs: null };
export const DISALLOW_ALL: RobotsRules = { isAllowed: () => false, crawlDelayMs: null };

// robots-parser answers for absolute URLs on the robots.txt's own origin; the rules only ever see paths, so any
// fixed origin stands in for the host's.
const ORIGIN = 'http://robots.invalid';

/** Parses robots.txt for `productToken` (e.g. `hubwatch`, matched case-insensitively). */
export function parseRobots(text: string, productToken: string): RobotsRules {
  const robots = robotsParser(`${ORIGIN}/robots.txt`, text);
  const delay = robots.getCrawlDelay(productToken);
  return {
    crawlDelayMs: delay !== undefined && Number.isFinite(delay) && delay >= 0 ? delay * 1000 : null,
    isAllowed(pathWithQuery: string): boolean {
      const path = pathWithQuery.startsWith('/') ? pathWithQuery : `/${pathWithQuery}`;
      // undefined only for a URL on another origin, which cannot happen here; refuse rather than guess.
      return robots.isAllowed(`${ORIGIN}${path}`, productToken) ?? false;
    },
  };
}
