// The licence terms that travel with the history downloads (src/feed/history*.ts): which source each row comes from
// and on what terms, as a JSON object (API answers), a Markdown note (LICENSE.md in the static export) and a `Link`
// header. Every statement rests on hubwatch's research notes (../shared/research); where they name no licence for a
// platform's data, the terms say "not stated" rather than guess.
import { PLATFORMS, type Platform } from '../model.js';

export interface SourceTerms {
  /** Stable id of the source, for clients that filter on it. */
  id: 'huggingface-api' | 'hub-weekly-snapshots' | 'hub-stats' | 'modelscope-api' | 'wisemodel-gitlab';
  platform: Platform;
  /** Which rows it applies to: their `provenance` value (`live`: read by hubwatch from the platform; `dump`: backfilled). */
  provenance: 'live' | 'dump';
  name: string;
  url: string;
  /** An SPDX id, or null when no licence is stated for the data. */
  license: string | null;
  licenseUrl: string | null;
  /** What the terms ask of someone who republishes the rows, or why none is stated. */
  note: string;
}

export interface HistoryTerms {
  /** The line to credit when the data is shown or republished. */
  attribution: string;
  sources: SourceTerms[];
  /** How to tell which terms a row carries. */
  howToApply: string;
}

export const ATTRIBUTION =
  'Source: hubwatch, from public catalogue data of Hugging Face, ModelScope and WiseModel (terms per source below).';

// anchors.md §12 and hf.md §7: hfmlsoc/hub_weekly_snapshots is ODbL-1.0 and copies cfahlgren1/hub-stats (Apache-2.0).
// ODbL's conditions (attribute, share alike, keep open) are its own summary: opendatacommons.org/licenses/odbl/summary/.
const SOURCES: SourceTerms[] = [
  {
    id: 'huggingface-api',
    platform: 'huggingface',
    provenance: 'live',
    name: 'Hugging Face Hub API (/api/models), read daily by hubwatch',
    url: 'https://huggingface.co/api/models',
    license: null,
    licenseUrl: null,
    note:
      'Not stated: hubwatch knows of no licence for the Hub API’s model metadata; the Hub’s terms of service govern ' +
      'its use (https://huggingface.co/terms-of-service).',
  },
  {
    id: 'hub-weekly-snapshots',
    platform: 'huggingface',
    provenance: 'dump',
    name: 'hfmlsoc/hub_weekly_snapshots (weekly copies of cfahlgren1/hub-stats), read by `hubwatch backfill`',
    url: 'https://huggingface.co/datasets/hfmlsoc/hub_weekly_snapshots',
    license: 'ODbL-1.0',
    licenseUrl: 'https://opendatacommons.org/licenses/odbl/1-0/',
    note:
      'Open Database License 1.0: credit the dataset in any public use, share a database derived from these rows ' +
      'under the ODbL, and keep it open.',
  },
  {
    id: 'hub-stats',
    platform: 'huggingface',
    provenance: 'dump',
    name: 'cfahlgren1/hub-stats (the daily dump the weekly snapshots copy), read by `hubwatch backfill`',
    url: 'https://huggingface.co/datasets/cfahlgren1/hub-stats',
    license: 'Apache-2.0',
    licenseUrl: 'https://www.apache.org/licenses/LICENSE-2.0',
    note: 'Apache License 2.0: keep its notice. Dump rows carry the ODbL of the weekly snapshots as well.',
  },
  {
    id: 'modelscope-api',
    platform: 'modelscope',
    provenance: 'live',
    name: 'ModelScope website search API (PUT /api/v1/dolphin/models), read daily by hubwatch',
    url: 'https://www.modelscope.cn/models',
    license: null,
    licenseUrl: null,
    note: 'Not stated: hubwatch’s research notes (modelscope-wisemodel.md) name no licence for ModelScope’s listing data.',
  },
  {
    id: 'wisemodel-gitlab',
    platform: 'wisemodel',
    provenance: 'live',
    name: 'WiseModel’s GitLab v4 projects list (and an operator-configured gateway), read daily by hubwatch',
    url: 'https://wisemodel.cn/models',
    license: null,
    licenseUrl: null,
    note: 'Not stated: hubwatch’s research notes (modelscope-wisemodel.md) name no licence for WiseModel’s catalogue data.',
  },
];

const HOW_TO_APPLY =
  'Each row names its platform and, where the store records it, its provenance (live or dump): it carries the terms ' +
  'of the sources with that platform and provenance. A share row of platform `combined` adds up the platforms its ' +
  'snapshot combined, so it carries the terms of each. Rows without a provenance were read live.';

export function historyTerms(): HistoryTerms {
  return { attribution: ATTRIBUTION, sources: SOURCES.map((s) => ({ ...s })), howToApply: HOW_TO_APPLY };
}

/** LICENSE.md of the export folder: the same terms, for people. */
export function termsMarkdown(): string {
  const lines = [
    '# Licence terms of the hubwatch history files',
    '',
    ATTRIBUTION,
    '',
    HOW_TO_APPLY,
    '',
    '| platform | provenance | source | licence | what it asks |',
    '|---|---|---|---|---|',
  ];
  for (const p of PLATFORMS) {
    for (const s of SOURCES.filter((x) => x.platform === p)) {
      const licence = s.license ? `[${s.license}](${s.licenseUrl})` : 'not stated';
      lines.push(`| ${s.platform} | ${s.provenance} | [${s.name}](${s.url}) | ${licence} | ${s.note} |`);
    }
  }
  lines.push(
    '',
    'hubwatch’s code is Apache-2.0 (package.json). The country, organisation and licence attributions in the rows ',
    'come from hubwatch’s registry and method (docs/method.md); credit them with the attribution line above.',
    '',
  );
  return lines.join('\n');
}

/** The `Link` header of every history answer: where its terms are, as JSON. */
export function termsLink(base: string): string {
  return `<${base}/api/v1/history/terms>; rel="license"; type="application/json"`;
}
