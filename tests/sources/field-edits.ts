// What the property tests of the fast structural checks (Hugging Face's isHfModel, ModelScope's pickMsModel) feed
// them: a real item with up to four fields set to values of any JSON type, or removed, so that the check and the zod
// schema it stands in for can be compared on the same input.
import fc from 'fast-check';

export type FieldEdit = [field: string, value: unknown];

/**
 * Up to four edits of the named fields: each a value of a type the platform might send by mistake (undefined removes
 * the field). `platformValues` adds the odd values that platform's fields are likeliest to carry.
 */
export function fieldEdits(
  fields: string[],
  ...platformValues: Array<fc.Arbitrary<unknown>>
): fc.Arbitrary<FieldEdit[]> {
  const value = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.integer({ min: -5, max: 1e6 }),
    fc.double(),
    fc.string(),
    fc.boolean(),
    fc.array(fc.oneof(fc.string(), fc.integer())),
    ...platformValues,
  );
  return fc.array(fc.tuple(fc.constantFrom(...fields), value), { maxLength: 4 });
}

/** A copy of `item` with the edits applied in order. */
export function applyEdits(item: Record<string, unknown>, edits: FieldEdit[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const [field, v] of edits) {
    if (v === undefined) delete out[field];
    else out[field] = v;
  }
  return out;
}
