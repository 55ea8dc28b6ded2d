import { readFile } from 'node:fs/promises'
import { AbortedError, InvalidInputError, MutiraoError } from '../errors.js'
import type { TensorMap } from '../exec/tensor.js'
import { decodeTensors, encodeTensors } from '../exec/tensor-codec.js'
import { dataDirLayout } from '../identity/data-dir.js'
import { readNodeInfo } from '../node/node-info.js'
import type { JobProgress, JobSpecInput } from '../requester/job-spec.js'

/** How to reach a node: its data dir (reads node.json and api.token), or an API URL and token. */
export type ConnectOptions = { dataDir?: string } | { apiUrl: string; token: string }

/** Options of a job submitted through the SDK. */
export interface SubmitOptions {
  name?: string
  shardSize?: number
  maxPricePerUnit?: string
  timeoutSeconds?: number
  providers?: { min?: number; max?: number }
}

/** Options while waiting for a job. */
export interface WaitOptions {
  signal?: AbortSignal
  /** Called on every change of the job's progress. */
  onProgress?: (progress: JobProgress) => void
}

/** A failed API call; carries the node's error name and hints. */
export class ApiError extends MutiraoError {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    readonly remoteName: string,
    message: string,
    hints: string[],
  ) {
    super(message, { metaMessages: hints })
  }
}

/** A client of a running Mutirão node. */
export interface MutiraoClient {
  readonly apiUrl: string
  /** Node status: peer id, addresses, provider state, known providers. */
  node(): Promise<Record<string, unknown>>
  /** Upload bytes to the node's blob store; returns their sha256. */
  putBlob(bytes: Uint8Array): Promise<string>
  /** Submit a job (model and inputs as bytes/tensors); resolves once accepted. */
  submit(job: { model: Uint8Array | string; inputs: TensorMap } & SubmitOptions): Promise<JobProgress>
  /** Submit a job whose blobs are already on the node. */
  submitSpec(spec: JobSpecInput): Promise<JobProgress>
  job(id: string): Promise<JobProgress>
  jobs(): Promise<JobProgress[]>
  /** Wait until the job is no longer running; throws if it failed or was cancelled. */
  wait(id: string, options?: WaitOptions): Promise<JobProgress>
  /** The outputs of a finished job, in input order. */
  result(id: string): Promise<TensorMap>
  cancel(id: string): Promise<void>
  /** Submit, wait, and return the outputs. Aborting the signal cancels the job. */
  infer(
    job: { model: Uint8Array | string; inputs: TensorMap } & SubmitOptions & WaitOptions,
  ): Promise<TensorMap>
}

/**
 * Connect to a running node.
 * @example
 * const client = await connect({ dataDir: '~/.mutirao' })
 * const outputs = await client.infer({ model: './model.onnx', inputs: { features } })
 */
export async function connect(options: ConnectOptions = {}): Promise<MutiraoClient> {
  const { apiUrl, token } =
    'apiUrl' in options
      ? options
      : await readNodeInfo(dataDirLayout(options.dataDir)).then(({ info, token }) => ({
          apiUrl: info.apiUrl,
          token,
        }))
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(`${apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    })
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as {
        error?: { name: string; message: string; hints: string[] }
      }
      throw new ApiError(
        res.status,
        body.error?.name ?? 'HttpError',
        body.error?.message ?? `HTTP ${res.status}`,
        body.error?.hints ?? [],
      )
    }
    return res
  }
  const json = async <T>(path: string, init?: RequestInit) => (await (await call(path, init)).json()) as T
  const putBlob = async (bytes: Uint8Array) =>
    (
      await json<{ hash: string }>('/v1/blobs', {
        method: 'POST',
        body: bytes as Uint8Array<ArrayBuffer>,
        headers: { 'content-type': 'application/octet-stream' },
      })
    ).hash
  const submitSpec = (spec: JobSpecInput) =>
    json<JobProgress>('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify(spec),
      headers: { 'content-type': 'application/json' },
    })

  const client: MutiraoClient = {
    apiUrl,
    node: () => json('/v1/node'),
    putBlob,
    submitSpec,
    async submit(job) {
      const model = typeof job.model === 'string' ? new Uint8Array(await readFile(job.model)) : job.model
      const [modelHash, inputsHash] = await Promise.all([putBlob(model), putBlob(encodeTensors(job.inputs))])
      const { name, shardSize, maxPricePerUnit, timeoutSeconds, providers } = job
      return submitSpec({
        kind: 'onnx-inference',
        modelHash,
        inputsHash,
        name,
        shardSize,
        maxPricePerUnit,
        timeoutSeconds,
        providers: providers as never,
      })
    },
    job: (id) => json(`/v1/jobs/${encodeURIComponent(id)}`),
    jobs: () => json('/v1/jobs'),
    async wait(id, options = {}) {
      let progress = await client.job(id)
      options.onProgress?.(progress)
      while (progress.status === 'running') {
        if (options.signal?.aborted) {
          await client.cancel(id)
          throw new AbortedError(`Job ${id} was cancelled`)
        }
        const next = await json<JobProgress>(
          `/v1/jobs/${encodeURIComponent(id)}?after=${progress.version}&waitMs=1000`,
        )
        if (next.version !== progress.version || next.status !== progress.status) options.onProgress?.(next)
        progress = next
      }
      if (progress.status !== 'done') {
        throw new InvalidInputError(`Job ${id} ${progress.status}: ${progress.error ?? 'no reason given'}`)
      }
      return progress
    },
    async result(id) {
      const res = await call(`/v1/jobs/${encodeURIComponent(id)}/result`)
      return decodeTensors(new Uint8Array(await res.arrayBuffer()))
    },
    async cancel(id) {
      await call(`/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
    },
    async infer(job) {
      const progress = await client.submit(job)
      await client.wait(progress.jobId, job)
      return client.result(progress.jobId)
    },
  }
  return client
}
