// zod schemas of what WiseModel serves: one model as the HTML fallback reads it (from a page's embedded state or its
// HTML; the parser maps whatever the page carries onto these names), a GitLab project as the projects list gives it,
// and the gateway's envelope.
import { z } from 'zod';

// The shape the normaliser (./record.ts) accepts: what this file's schema yields after validation at the edge. It is
// structural and loose on purpose (every field optional where the platform may omit it) so that the normaliser
// stays total: it never throws on any input, it falls back and says so.

/** A WiseModel model as the scraper reads it from a page's embedded state or its HTML. */
export interface WiseModelInput {
  owner: string;
  name: string;
  title?: string | null;
  downloads?: number | null;
  likes?: number | null;
  /** Free text as the page shows it; may be Chinese (其他 = other). */
  license?: string | null;
  task?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  /** WiseModel ids (`owner/name`) of the bases, when the page names them. */
  baseModels?: string[] | null;
  tags?: string[] | null;
}

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

/**
 * One project of GitLab's `GET /api/v4/projects` as an anonymous caller gets it: the simple fields of
 * ProjectIdentity and BasicProjectDetails (gitlabhq lib/api/entities/project_identity.rb, basic_project_details.rb).
 * Read generously, like a Hub item: without an id or a path a project cannot be keyed (quarantined); a missing or
 * unreadable time or star count is a null figure, counted as incomplete.
 */
export const GlProjectSchema = z
  .object({
    id: z.number().int().positive(),
    path_with_namespace: z.string().regex(/^[^/\s]+(?:\/[^/\s]+)+$/, 'expected group/…/project'),
    name: z.string().nullish(),
    description: z.string().nullish(),
    created_at: z.unknown().optional(),
    last_activity_at: z.unknown().optional(),
    star_count: z.unknown().optional(),
    topics: z.array(z.string()).nullish(),
    tag_list: z.array(z.string()).nullish(),
    /** Absent for anonymous callers (who see public projects only); when present, only `public` is read. */
    visibility: z.string().nullish(),
  })
  .passthrough();
export type GlProject = z.infer<typeof GlProjectSchema>;

/** The gateway's envelope (wisemodel-hub utils.py, auth.py): `code` 0 ok, 10003 not found, "B2002" token expired. */
export const WmEnvelopeSchema = z.object({
  code: z.union([z.number(), z.string()]),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});
export type WmEnvelope = z.infer<typeof WmEnvelopeSchema>;
