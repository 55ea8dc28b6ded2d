import { createHash } from 'node:crypto'
import { ModelUnavailableError } from './errors.js'
import { inspectModel, type ModelInfo } from './model-info.js'

/** A model's bytes, checked against their hash, and what they declare. */
export interface LoadedModel {
  bytes: Uint8Array
  info: ModelInfo
}

/**
 * Fetch each model once by its sha256 hex hash and keep the last `maxModels` (a failed fetch is not kept).
 * @returns `load(hash)`, rejecting with ModelUnavailableError for a malformed hash, a failed fetch, or bytes
 *   that hash to something else.
 */
export function modelCache(
  getModel: (hash: string) => Promise<Uint8Array>,
  maxModels: number,
): (hash: string) => Promise<LoadedModel> {
  const models = new Map<string, Promise<LoadedModel>>()

  async function fetchModel(hash: string): Promise<LoadedModel> {
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw new ModelUnavailableError(`'${hash}' is not a sha256 hex model hash`)
    let bytes: Uint8Array
    try {
      bytes = await getModel(hash)
    } catch (e) {
      throw new ModelUnavailableError(`could not get model ${hash.slice(0, 12)}…`, {
        cause: e,
        details: String(e),
      })
    }
    const actual = createHash('sha256').update(bytes).digest('hex')
    if (actual !== hash)
      throw new ModelUnavailableError(`model bytes for ${hash.slice(0, 12)}… hash to ${actual}`)
    return { bytes, info: inspectModel(bytes) }
  }

  return (hash) => {
    let p = models.get(hash)
    if (!p) {
      p = fetchModel(hash)
      models.set(hash, p)
      p.catch(() => models.delete(hash))
      if (models.size > maxModels) models.delete(models.keys().next().value!)
    }
    return p
  }
}
