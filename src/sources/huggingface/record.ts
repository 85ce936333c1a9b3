// Hugging Face as the platform-free code sees it: how one Hub model item becomes a NormalisedRecord, which of its
// fields are the day's figures, what the platform is called and which configured token it takes. Pure and total
// (src/normalise/record.ts says why); the registry dispatches to it (src/sources/registry.ts).
import type { Config } from '../../config.js';
import { LIMITS, type NormalisedRecord } from '../../model.js';
import type { NormaliseContext } from '../../normalise/context.js';
import { parseLineage } from '../../normalise/lineage.js';
import { assembleRecord, cleanId, cleanTags, paramCount } from '../../normalise/record.js';
import { count, isoInstant, isRecord, str } from '../../normalise/text.js';
import type { PlatformProfile } from '../types.js';
import type { HfModelInput } from './schema.js';

const URL_BASE = 'https://huggingface.co/';

function idOf(o: Record<string, unknown>): string {
  return cleanId(typeof o.id === 'string' ? o.id : typeof o.modelId === 'string' ? o.modelId : '');
}

function statsOf(o: Record<string, unknown>): NormalisedRecord['stats'] {
  return { downloads30d: count(o.downloads), downloadsAllTime: count(o.downloadsAllTime), likes: count(o.likes) };
}

export function normaliseHuggingFace(item: HfModelInput, ctx: NormaliseContext): NormalisedRecord {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  const card = isRecord(o.cardData) ? o.cardData : {};
  const tags = cleanTags(o.tags);
  // Tags are capped for storage, but lineage and licence read the full list: a trailing base_model: tag counts.
  const allTags = o.tags;
  const safetensors = isRecord(o.safetensors) ? o.safetensors : {};
  const gguf = isRecord(o.gguf) ? o.gguf : {};
  const familyHints =
    typeof gguf.architecture === 'string' ? [gguf.architecture, ...tags.slice(0, 20)] : tags.slice(0, 20);
  return assembleRecord(
    {
      platform: 'huggingface',
      id: idOf(o),
      urlBase: URL_BASE,
      namespaceHint: str(o.author, LIMITS.id),
      createdAt: isoInstant(o.createdAt),
      lastModified: isoInstant(o.lastModified),
      task: str(o.pipeline_tag, LIMITS.tag),
      library: str(o.library_name, LIMITS.tag),
      tags,
      params: paramCount(safetensors.total) ?? paramCount(gguf.total),
      license: {
        hfTags: allTags,
        cardLicense: card.license,
        licenseName: card.license_name,
        licenseLink: card.license_link,
      },
      lineage: parseLineage({
        platform: 'huggingface',
        hfTags: allTags,
        cardBaseModel: card.base_model,
        cardRelation: card.base_model_relation,
        hfBaseModels: o.baseModels,
        hintTags: allTags,
      }),
      familyHints,
      stats: statsOf(o),
    },
    ctx,
  );
}

export const huggingfaceProfile: PlatformProfile = {
  platform: 'huggingface',
  label: 'Hugging Face',
  bearerToken: (tokens: Config['tokens']) => tokens.huggingface,
  volatileFields: new Set(['downloads', 'downloadsAllTime', 'likes']),
  idOf,
  statsOf,
  normalise: (item, ctx) => normaliseHuggingFace(item as HfModelInput, ctx),
};
