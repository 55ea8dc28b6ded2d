import { z } from 'zod'

const name = z.string().min(1).max(256)

/** A feature column: numeric, or categorical with its category values in encoding order. */
export const FeatureSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    name,
    kind: z.literal('numeric'),
    /** Extra values that mean 'missing' in this column (for example `'0'` in Pima's glucose). */
    missing: z.array(z.string().max(64)).max(16).optional(),
  }),
  z.strictObject({
    name,
    kind: z.literal('categorical'),
    categories: z.array(z.string().max(256)).min(1).max(1024),
    missing: z.array(z.string().max(64)).max(16).optional(),
  }),
])

/**
 * The data schema of a training job: which columns a holder's file must have, how each is encoded, and the
 * target column's classes (class index = position in `classes`). Every holder encodes with the same schema,
 * so their feature vectors and class indices agree.
 */
export const DataSchema = z.strictObject({
  features: z.array(FeatureSchema).min(1).max(10_000),
  target: z.strictObject({ name, classes: z.array(z.string().max(256)).min(2).max(1024) }),
})

/** A feature column's description; see {@link FeatureSchema}. */
export type Feature = z.infer<typeof FeatureSchema>
/** A job's data schema; see {@link DataSchema}. */
export type DataSchema = z.infer<typeof DataSchema>

/** Values that mean 'missing' in every column: empty, `NA`, `NaN`, `?` (case-insensitive for the words). */
export function isMissingToken(value: string): boolean {
  const v = value.trim()
  return v === '' || v === '?' || /^(na|nan|null)$/i.test(v)
}

/**
 * An encoded data set: `x` is row-major `[n, d]` with `d = schema.features.length`; a numeric feature holds
 * its value, a categorical one its category index; a missing value is `NaN`. `y` holds class indices.
 */
export interface Dataset {
  schema: DataSchema
  n: number
  d: number
  x: Float32Array
  y: Int32Array
}

/** Number of classes of a data set. */
export function numClasses(ds: Dataset): number {
  return ds.schema.target.classes.length
}
