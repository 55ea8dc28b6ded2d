import { inspectModel, type ModelInfo } from '../exec/model-info.js'

/**
 * What a node knows of the models it was asked to run, by content address (least recently used first out):
 * a model submitted again — the usual case, one model over many input sets — is neither read from disk
 * nor parsed again (36 MB took ~200 ms of the submission here). The hash names the bytes, so an entry
 * never goes stale; a model that fails to parse is not remembered.
 */
export class ModelInfos {
  readonly #infos = new Map<string, ModelInfo>()

  constructor(
    private readonly read: (hash: string) => Promise<Uint8Array>,
    private readonly max = 64,
  ) {}

  /** The model's info, parsed from its bytes the first time. @throws InvalidModelError for bytes that are not ONNX. */
  async get(hash: string): Promise<ModelInfo> {
    const known = this.#infos.get(hash)
    if (known) {
      this.#infos.delete(hash)
      this.#infos.set(hash, known)
      return known
    }
    const info = inspectModel(await this.read(hash))
    this.#infos.set(hash, info)
    if (this.#infos.size > this.max) this.#infos.delete(this.#infos.keys().next().value as string)
    return info
  }
}
