// Stand-alone HTML for browsers and e-mail clients: tables for layout, inline styles only, no scripts, no external
// resources, charts as inline SVG (sanitised here again, since the JSON may have been edited after it was built).
// Every string is escaped; platform strings are also bidi-isolated (<bdi>) and capped.
import { buildDocument, type Block, type Inline } from './document.js';
import { cleanText, escapeHtml, htmlText, safeUrl, sanitizeSvg } from './escape.js';
import type { Digest } from './types.js';

const OWN_CAP = 4000;
const FONT = 'Helvetica,Arial,sans-serif';
const S = {
  body: 'margin:0;padding:0;background:#f3f4f6;',
  outer: 'background:#f3f4f6;',
  card: `max-width:760px;width:100%;background:#ffffff;font-family:${FONT};color:#111827;font-size:14px;line-height:1.5;`,
  cell: 'padding:6px 24px;',
  h1: `margin:16px 0 4px 0;font-family:${FONT};font-size:22px;line-height:1.3;color:#111827;`,
  h2: `margin:20px 0 4px 0;font-family:${FONT};font-size:18px;line-height:1.3;color:#111827;border-bottom:1px solid #e5e7eb;padding-bottom:4px;`,
  h3: `margin:12px 0 4px 0;font-family:${FONT};font-size:15px;line-height:1.3;color:#111827;`,
  p: 'margin:4px 0;',
  muted: 'margin:4px 0;color:#4b5563;font-size:12px;',
  warn: 'margin:4px 0;padding:8px 12px;background:#fef3c7;border-left:4px solid #d97706;color:#78350f;',
  table: `border-collapse:collapse;width:100%;font-family:${FONT};font-size:13px;`,
  th: 'padding:4px 6px;border-bottom:2px solid #d1d5db;text-align:left;font-weight:bold;background:#f9fafb;',
  td: 'padding:4px 6px;border-bottom:1px solid #e5e7eb;vertical-align:top;',
  link: 'color:#1d4ed8;text-decoration:underline;',
  caption: 'margin:2px 0 12px 0;color:#4b5563;font-size:12px;',
};

function own(s: string): string {
  return escapeHtml(cleanText(s, OWN_CAP));
}

function inline(p: Inline): string {
  switch (p.t) {
    case 'strong':
      return `<strong>${own(p.s)}</strong>`;
    case 'link': {
      const label = p.untrusted ? htmlText(p.s) : own(p.s);
      const href = safeUrl(p.href);
      return href
        ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" style="${S.link}">${label}</a>`
        : label;
    }
    case 'text':
      return p.untrusted ? htmlText(p.s) : own(p.s);
  }
}

function line(parts: Inline[]): string {
  return parts.map(inline).join('');
}

function block(b: Block): string {
  switch (b.k) {
    case 'h':
      return `<h${b.level} style="${S[`h${b.level}`]}">${own(b.text)}</h${b.level}>`;
    case 'p':
      return `<p style="${b.tone === 'warn' ? S.warn : b.tone === 'muted' ? S.muted : S.p}">${line(b.parts)}</p>`;
    case 'list': {
      const style = b.tone === 'warn' ? S.warn : b.tone === 'muted' ? S.muted : S.p;
      return `<ul style="${style}padding-left:20px;">${b.items.map((it) => `<li>${line(it)}</li>`).join('')}</ul>`;
    }
    case 'table': {
      const align = (i: number) => (b.align[i] === 'r' ? 'text-align:right;' : 'text-align:left;');
      const head = b.head.map((h, i) => `<th style="${S.th}${align(i)}">${own(h)}</th>`).join('');
      const rows = b.rows
        .map((r) => `<tr>${r.map((c, i) => `<td style="${S.td}${align(i)}">${line(c)}</td>`).join('')}</tr>`)
        .join('');
      return `<table role="table" cellpadding="0" cellspacing="0" border="0" style="${S.table}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
    }
    case 'chart':
      return (
        `<p style="${S.h3}"><strong>${own(b.chart.title)}</strong></p>` +
        `<div style="overflow-x:auto;">${sanitizeSvg(b.chart.svg)}</div>` +
        `<p style="${S.caption}">${own(b.chart.caption)}</p>`
      );
  }
}

export function renderHtml(digest: Digest): string {
  const rows = buildDocument(digest)
    .map((b) => `<tr><td style="${S.cell}">${block(b)}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${own(digest.title)}</title>
</head>
<body style="${S.body}">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${S.outer}"><tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="760" cellpadding="0" cellspacing="0" border="0" style="${S.card}">
${rows}
</table>
</td></tr></table>
</body>
</html>
`;
}
