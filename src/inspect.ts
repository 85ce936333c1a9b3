// `hubwatch inspect --platform P FILE`: the same edge validation and normalisation the sources use, on a payload
// saved to disk. One bad item never hides the others: it is reported with its reason and the rest still print.
// Lineage is then resolved across the payload's own records as the daily cycle resolves it across the store, so a
// chain saved in one file prints the roots and origins the store would hold for it.
import { readFile } from 'node:fs/promises';
import { getConfig } from './config.js';
import { MAX_DEPTH } from './cycle/lineage.js';
import { InputError } from './errors.js';
import type { NormalisedRecord, Platform } from './model.js';
import type { NormaliseContext } from './normalise/context.js';
import type { Registry } from './normalise/registry.js';
import { lineageNodeOf, resolveNode, withOriginUpdate } from './normalise/resolve-local.js';
import type { ReferenceData } from './reference-data.js';
import { normaliseHuggingFace } from './sources/huggingface/record.js';
import { checkHfModel } from './sources/huggingface/schema.js';
import { normaliseModelScope } from './sources/modelscope/record.js';
import { MsEnvelopeSchema, MsListDataSchema, MsModelSchema } from './sources/modelscope/schema.js';
import { describeIssues } from './sources/validate.js';
import { parseWiseModelPage } from './sources/wisemodel/parser.js';
import { normaliseWiseModel } from './sources/wisemodel/record.js';
import { WmModelSchema } from './sources/wisemodel/schema.js';

export interface Rejected {
  index: number;
  reason: string;
}

export interface InspectResult {
  records: NormalisedRecord[];
  rejected: Rejected[];
}

function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** A saved payload is out of time: firstSeenAt cannot be known, so it takes createdAt (the backfill rule). */
function context(reference: ReferenceData): NormaliseContext {
  return { registry: reference.registry, licenses: reference.licenses, now: new Date().toISOString(), backfill: true };
}

/**
 * Each record was normalised alone, its root provisional (its first base). The payload stands in for the store:
 * a base it holds is followed further, one it lacks stays the dangling root, as the cycle leaves it.
 */
function resolveAcrossPayload(out: InspectResult, registry: Registry): InspectResult {
  const own = out.records.map(lineageNodeOf);
  const nodes = new Map(own.map((n) => [n.key, n]));
  const lookup = (k: string) => nodes.get(k);
  out.records = out.records.map((rec, i) =>
    rec.lineage.relation === 'base'
      ? rec
      : withOriginUpdate(rec, resolveNode(own[i]!, lookup, registry, MAX_DEPTH).update),
  );
  return out;
}

export function inspectHuggingFace(body: unknown, reference: ReferenceData): InspectResult {
  const out: InspectResult = { records: [], rejected: [] };
  const ctx = context(reference);
  items(body).forEach((raw, index) => {
    const c = checkHfModel(raw, { requireAllTime: false });
    if (c.ok) out.records.push(normaliseHuggingFace(c.item, ctx));
    else out.rejected.push({ index, reason: c.reason });
  });
  return resolveAcrossPayload(out, reference.registry);
}

/** A dolphin list envelope, a detail envelope, an array of records or one record. */
export function inspectModelScope(body: unknown, reference: ReferenceData): InspectResult {
  let raws: unknown[];
  const env = MsEnvelopeSchema.safeParse(body);
  if (env.success && typeof body === 'object' && body !== null && 'Success' in body) {
    if (!env.data.Success) {
      throw new InputError(
        `the ModelScope envelope says Success: false (Code ${String(env.data.Code)}: ${env.data.Message ?? 'no message'})`,
      );
    }
    const list = MsListDataSchema.safeParse(env.data.Data);
    raws = list.success ? list.data.Model.Models : [env.data.Data];
  } else {
    raws = items(body);
  }
  const out: InspectResult = { records: [], rejected: [] };
  const ctx = context(reference);
  raws.forEach((raw, index) => {
    const r = MsModelSchema.safeParse(raw);
    if (r.success) out.records.push(normaliseModelScope(r.data, ctx));
    else out.rejected.push({ index, reason: describeIssues(r.error) });
  });
  return resolveAcrossPayload(out, reference.registry);
}

/** A WiseModel HTML page (list or model, embedded state or plain HTML), or JSON items as the scraper reads them. */
export function inspectWiseModel(text: string, reference: ReferenceData): InspectResult {
  const out: InspectResult = { records: [], rejected: [] };
  const ctx = context(reference);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    items(JSON.parse(trimmed) as unknown).forEach((raw, index) => {
      const r = WmModelSchema.safeParse(raw);
      if (r.success) out.records.push(normaliseWiseModel(r.data, ctx));
      else out.rejected.push({ index, reason: describeIssues(r.error) });
    });
    return resolveAcrossPayload(out, reference.registry);
  }
  const page = parseWiseModelPage(text, getConfig().file.sources.wisemodel.selectors);
  for (const item of page.items) out.records.push(normaliseWiseModel(item, ctx));
  page.rejected.forEach((r, index) => out.rejected.push({ index, reason: r.reason }));
  if (page.items.length === 0 && page.rejected.length === 0) {
    out.rejected.push({
      index: -1,
      reason: `no models found on the page (${page.problems.join('; ') || 'unknown layout'})`,
    });
  }
  return resolveAcrossPayload(out, reference.registry);
}

export async function inspectFile(platform: Platform, file: string, reference: ReferenceData): Promise<InspectResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as Error).message}. Check the path.`);
  }
  if (platform === 'wisemodel') return inspectWiseModel(text, reference);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      `${file} is not valid JSON (${(err as Error).message}); ${platform} payloads are JSON bodies as the API returns them.`,
    );
  }
  return platform === 'huggingface' ? inspectHuggingFace(body, reference) : inspectModelScope(body, reference);
}
