// zod schema of one WiseModel model as the scraper reads it (from a page's embedded state or from its HTML). The
// parser maps whatever the page carries onto these names; this schema is what a model must satisfy to be used.
import { z } from 'zod';
import type { WiseModelInput } from '../../normalise/inputs.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
/** One path segment of a WiseModel id: no slash, no whitespace, no query or fragment characters. */
const segment = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[^/\s?#]+$/, 'expected one path segment');
const isoInstant = z.string().regex(ISO, 'expected an ISO-8601 instant');
const count = z.number().int().nonnegative();

export const WmModelSchema = z.object({
  owner: segment,
  name: segment,
  title: z.string().nullish(),
  downloads: count.nullish(),
  likes: count.nullish(),
  license: z.string().nullish(),
  task: z.string().nullish(),
  createdAt: isoInstant.nullish(),
  updatedAt: isoInstant.nullish(),
  baseModels: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/name')).nullish(),
  tags: z.array(z.string()).nullish(),
});

const _yieldsInput: (x: z.infer<typeof WmModelSchema>) => WiseModelInput = (x) => x;
void _yieldsInput;

/**
 * Fields a list page must give for every model, beyond owner and name: without downloads the daily sweep has
 * nothing to record, so a list page whose models lack them is drift (a changed layout), not a quiet zero.
 */
export const WM_LIST_REQUIRED = ['downloads'] as const satisfies ReadonlyArray<keyof WiseModelInput>;
