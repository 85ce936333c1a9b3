// robots.txt after RFC 9309: the group for our product token (else `*`), Allow/Disallow with `*` and `$`, the
// longest match wins and Allow wins a tie. `Crawl-delay` (not in the RFC, widely used) is read too.

export interface RobotsRules {
  /** Whether a path (with its query) may be fetched. */
  isAllowed(pathWithQuery: string): boolean;
  /** Crawl-delay for our group in ms, or null. */
  crawlDelayMs: number | null;
}

interface Rule {
  allow: boolean;
  pattern: string;
  re: RegExp;
}

function compile(pattern: string): RegExp {
  const anchored = pattern.endsWith('$');
  const body = (anchored ? pattern.slice(0, -1) : pattern)
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}${anchored ? '$' : ''}`);
}

function normalisePath(p: string): string {
  // Percent-encode what is not already, so `/模型` and `/%E6%A8%A1%E5%9E%8B` compare equal.
  try {
    return encodeURI(decodeURI(p));
  } catch {
    return p;
  }
}

export const ALLOW_ALL: RobotsRules = { isAllowed: () => true, crawlDelayMs: null };
export const DISALLOW_ALL: RobotsRules = { isAllowed: () => false, crawlDelayMs: null };

/** Parses robots.txt for `productToken` (e.g. `hubwatch`, matched case-insensitively). */
export function parseRobots(text: string, productToken: string): RobotsRules {
  const token = productToken.toLowerCase();
  type Group = { agents: string[]; rules: Rule[]; delay: number | null };
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [], delay: null };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      if (value === '') continue; // `Disallow:` with no path allows everything
      const pattern = normalisePath(value);
      current.rules.push({ allow: key === 'allow', pattern, re: compile(pattern) });
    } else if (key === 'crawl-delay') {
      const n = Number(value);
      if (Number.isFinite(n) && n >= 0) current.delay = n;
    }
  }
  const mine = groups.filter((g) => g.agents.some((a) => a !== '*' && token.includes(a)));
  const chosen = mine.length > 0 ? mine : groups.filter((g) => g.agents.includes('*'));
  const rules = chosen.flatMap((g) => g.rules);
  const delays = chosen.map((g) => g.delay).filter((d): d is number => d !== null);
  return {
    crawlDelayMs: delays.length > 0 ? Math.max(...delays) * 1000 : null,
    isAllowed(pathWithQuery: string): boolean {
      const p = normalisePath(pathWithQuery);
      let best: Rule | null = null;
      for (const r of rules) {
        if (!r.re.test(p)) continue;
        if (
          !best ||
          r.pattern.length > best.pattern.length ||
          (r.pattern.length === best.pattern.length && r.allow && !best.allow)
        ) {
          best = r;
        }
      }
      return best ? best.allow : true;
    },
  };
}
