// The page shell and the pieces every page uses: navigation, option links, tables, figures. No inline script or
// style anywhere (the CSP forbids both): behaviour comes from /dashboard/assets/dashboard.js, looks from the CSS.
import { escapeHtml } from '../digest/escape.js';
import type { Links } from './links.js';

/** The policy every dashboard page is served with (and carries as a meta tag in the static export). */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** Standalone charts and badges: pictures, nothing in them may run or load. */
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *";

export type Section = 'overview' | 'races' | 'releases' | 'entity';

export interface PageInput {
  title: string;
  section: Section;
  links: Links;
  body: string;
  /** The latest snapshot date shown, for the footer. */
  latest: string | null;
}

export function layout(p: PageInput): string {
  const l = p.links;
  const nav: Array<[Section, string, string]> = [
    [
      'overview',
      'Overview',
      l.overview({ metric: 'downloads30d', view: 'origin', scope: 'all', platform: 'combined' }),
    ],
    ['races', 'Races', l.races('origin')],
    ['releases', 'Releases', l.releases({ view: 'origin' }) ?? ''],
  ];
  const navHtml = nav
    .filter(([, , href]) => href !== '')
    .map(
      ([s, label, href]) =>
        `<a href="${escapeHtml(href)}"${s === p.section ? ' aria-current="page"' : ''}>${label}</a>`,
    )
    .join('');
  const meta =
    l.mode === 'static'
      ? `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(PAGE_CSP.replace(/; frame-ancestors 'none'/, ''))}">\n`
      : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${meta}<meta name="referrer" content="no-referrer">
<title>${escapeHtml(p.title)} · hubwatch</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(l.asset('dashboard.css'))}">
<script src="${escapeHtml(l.asset('dashboard.js'))}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><p class="brand">hubwatch</p><nav aria-label="Sections">${navHtml}</nav></header>
<main id="main" tabindex="-1">
${p.body}
</main>
<footer class="foot"><p>Open model releases on Hugging Face, ModelScope and WiseModel, by country.${p.latest ? ` Latest snapshot: ${escapeHtml(p.latest)}.` : ''} Method: docs/method.md; every figure is also in the <a href="${escapeHtml(l.openapi())}">API</a>.</p></footer>
<p id="live" class="sr-only" aria-live="polite"></p>
</body>
</html>
`;
}

export interface Choice {
  label: string;
  href: string | null;
  current: boolean;
}

/**
 * One row of options as links (not a form): each is a URL, so it works without script, can be opened in a new
 * tab and shared; the script only fetches it in place. The current one says so in words (aria-current and a check
 * mark), not only in colour.
 */
export function optionGroup(id: string, label: string, choices: Choice[]): string {
  const items = choices
    .map((c) => {
      if (c.current)
        return `<li><a href="${escapeHtml(c.href ?? '#')}" aria-current="true" data-swap>${escapeHtml(c.label)}</a></li>`;
      if (c.href === null) return `<li><span class="off">${escapeHtml(c.label)}</span></li>`;
      return `<li><a href="${escapeHtml(c.href)}" data-swap>${escapeHtml(c.label)}</a></li>`;
    })
    .join('');
  return `<div class="opt" role="group" aria-labelledby="${id}"><span class="opt-label" id="${id}">${escapeHtml(label)}</span><ul>${items}</ul></div>`;
}

export interface Column {
  head: string;
  /** Numbers are right-aligned. */
  num?: boolean;
}

/** A data table: cells are HTML already escaped by the caller (they mix our words, numbers and platform text). */
export function table(caption: string, cols: Column[], rows: string[][], cls = 'data'): string {
  const head = cols.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${escapeHtml(c.head)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) =>
            i === 0 ? `<th scope="row">${cell}</th>` : `<td${cols[i]?.num ? ' class="num"' : ''}>${cell}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<div class="table-wrap" tabindex="0" role="region" aria-label="${escapeHtml(caption)}"><table class="${cls}"><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export function link(href: string | null, html: string, external = false): string {
  if (href === null) return html;
  return `<a href="${escapeHtml(href)}"${external ? ' rel="noopener noreferrer nofollow external"' : ''}>${html}</a>`;
}

/** Picture, then its table, then one line of method, as one figure. */
export function figure(
  id: string,
  heading: string,
  svg: string,
  tableHtml: string,
  methodLine: string,
  extra = '',
): string {
  return `<section class="fig" id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(heading)}</h2>
<figure><div class="chart-box">${svg}</div>${tableHtml}<figcaption class="method">${escapeHtml(methodLine)}</figcaption></figure>${extra}</section>`;
}

export function notice(html: string): string {
  return `<p class="notice">${html}</p>`;
}
