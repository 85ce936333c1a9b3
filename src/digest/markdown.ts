// GitHub-flavoured Markdown from the digest JSON. Every string is escaped (platform strings also bidi-isolated and
// capped), so nothing a platform sends can become a link, an image, a heading or raw HTML. GitHub strips inline
// SVG, so the charts are linked as sibling files (<week>.*.svg, written next to the .md).
import { buildDocument, type Block, type Inline } from './document.js';
import { cleanText, escapeMarkdownOwn, guardLineStart, mdText, safeUrl } from './escape.js';
import type { Digest } from './types.js';

/** Our own strings (sentences, dates, numbers) are escaped too, but not capped as tightly. */
const OWN_CAP = 4000;

function own(s: string): string {
  return escapeMarkdownOwn(cleanText(s, OWN_CAP));
}

function inline(p: Inline): string {
  switch (p.t) {
    case 'strong': {
      // Emphasis must hug its text; the spaces around it stay outside the markers.
      const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(own(p.s))!;
      return m[2] ? `${m[1]}**${m[2]}**${m[3]}` : own(p.s);
    }
    case 'link': {
      const label = p.untrusted ? mdText(p.s) : own(p.s);
      const href = safeUrl(p.href);
      return href ? `[${label || own(href)}](${href})` : label;
    }
    case 'text':
      return p.untrusted ? mdText(p.s) : own(p.s);
  }
}

function line(parts: Inline[]): string {
  return parts.map(inline).join('').trim();
}

function block(b: Block): string {
  switch (b.k) {
    case 'h':
      return `${'#'.repeat(b.level)} ${own(b.text)}`;
    case 'p': {
      const text = guardLineStart(line(b.parts));
      return b.tone === 'warn' ? `> ${text}` : text;
    }
    case 'list':
      return b.items.map((it) => `${b.tone === 'warn' ? '> ' : ''}- ${guardLineStart(line(it))}`).join('\n');
    case 'table': {
      const head = `| ${b.head.map(own).join(' | ')} |`;
      const sep = `| ${b.align.map((a) => (a === 'r' ? '---:' : ':---')).join(' | ')} |`;
      const rows = b.rows.map((r) => `| ${r.map((c) => line(c) || ' ').join(' | ')} |`);
      return [head, sep, ...rows].join('\n');
    }
    case 'chart': {
      const alt = own(b.chart.title);
      const file = encodeURIComponent(b.file);
      return `![${alt}](${file})\n\n${guardLineStart(own(b.chart.caption))}`;
    }
  }
}

export function renderMarkdown(digest: Digest): string {
  return `${buildDocument(digest).map(block).join('\n\n')}\n`;
}
