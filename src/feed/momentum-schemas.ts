// The JSON Schema of GET /api/v1/momentum's answer, from the snapshot's own zod schemas (src/snapshot/schema.ts), so
// the API cannot describe a list the snapshot does not hold. schemas.ts adds it to the OpenAPI components.
import { z } from 'zod';
import { MomentumEntrySchema, MomentumMethodSchema } from '../snapshot/schema.js';
import {
  MOMENTUM_METRICS,
  SCOPES,
  type MomentumBlock,
  type MomentumEntry,
  type MomentumMetric,
  type Scope,
} from '../snapshot/types.js';

export const MomentumListSchema = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .describe('the snapshot the list comes from'),
  scope: z.enum(SCOPES),
  metric: z.enum(MOMENTUM_METRICS),
  top: z.number().int().nonnegative().describe('models per list in the snapshot'),
  method: MomentumMethodSchema,
  items: z.array(MomentumEntrySchema).describe('largest value first'),
});
/** The answer as the snapshot's types give it (the schema above describes the same shape). */
export interface MomentumList {
  date: string;
  scope: Scope;
  metric: MomentumMetric;
  top: number;
  method: MomentumBlock['method'];
  items: MomentumEntry[];
}

function fromZod(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  return rest;
}

export const momentumComponentSchemas: Record<string, Record<string, unknown>> = {
  MomentumList: fromZod(MomentumListSchema),
};
