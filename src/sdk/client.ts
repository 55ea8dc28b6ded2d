import type { Address, Hex } from 'viem'
import { AbortedError, MutiraoError } from '../errors.js'
import type { TensorMap } from '../exec/tensor.js'
import { decodeTensors, encodeTensorParts } from '../exec/tensor-codec.js'
import type { FlRunView } from '../fl/network/service.js'
import { dataDirLayout } from '../identity/data-dir.js'
import { readNodeInfo } from '../node/node-info.js'
import type { LivePolicyView, PolicyChange } from '../provider/live-policy.js'
import { readBytes } from '../read-bytes.js'
import type { JobProgress, JobSpecInput } from '../requester/job-spec.js'
import type { StreamSession } from '../stream/local-session.js'
import type { StreamOptions } from '../stream/open-stream.js'
import type { SessionWallet } from '../stream/session-payer.js'
import type { ConnectOptions, InferenceJob, WaitOptions, WasmJob } from './client-options.js'
import { fetchRetryingReset } from './fetch-retry.js'
import { maxPricePerUnitOf, onnxJobSpec } from './job-spec-input.js'
import type { LedgerClient } from './ledger-types.js'
import { hasBlob, putBlob as putBlobOnce } from './put-blob.js'
import { type WasmRunOutput, wasmJobInputs, wasmJobOutputs } from './wasm-job.js'

export type { ConnectOptions, InferenceJob, SubmitOptions, WaitOptions, WasmJob } from './client-options.js'
export { maxPricePerUnitOf } from './job-spec-input.js'
export type { ContributionInfo, LedgerClient, ReceiptProofInfo, WalletInfo } from './ledger-types.js'

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

/** A job ended `failed` or `cancelled`; carries its final progress (what was done, by whom, and why it ended). */
export class JobFailedError extends MutiraoError {
  override name = 'JobFailedError'
  constructor(readonly progress: JobProgress) {
    super(`Job ${progress.jobId} ${progress.status}: ${progress.error ?? 'no reason given'}`, {
      metaMessages: [`${progress.samplesDone}/${progress.samplesTotal} samples were done.`],
    })
  }
}

/** The node stopped answering while a job ran; the job is persisted and resumes when the node restarts. */
export class NodeStoppedError extends MutiraoError {
  override name = 'NodeStoppedError'
  constructor(jobId: string, cause: unknown) {
    super('the node stopped answering; the job goes on when it restarts', {
      cause,
      metaMessages: [
        `Restart the node (\`mutirao node\`), then follow the job with \`mutirao jobs ${jobId}\`.`,
      ],
    })
  }
}

/** Whether `err` is fetch's failure to reach the node at all (refused, reset), not an HTTP error. */
export const isNetworkError = (err: unknown): boolean =>
  err instanceof TypeError && err.message === 'fetch failed'

/** A client of a running Mutirão node. */
export interface MutiraoClient {
  readonly apiUrl: string
  /** Node status: peer id, addresses, provider state, known providers. */
  node(): Promise<Record<string, unknown>>
  /** Upload bytes (or consecutive parts of them) to the node's blob store, unless it has them; returns their sha256. */
  putBlob(bytes: Uint8Array | readonly Uint8Array[]): Promise<string>
  /** Whether the node holds the blob of this content address (sha256 hex). */
  hasBlob(hash: string): Promise<boolean>
  /** Submit a job (model and inputs as bytes/tensors); resolves once accepted. */
  submit(job: InferenceJob): Promise<JobProgress>
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
  infer(job: InferenceJob & WaitOptions): Promise<TensorMap>
  /** Submit a `wasm` job (uploads the module and the runs); resolves once accepted. */
  submitWasm(job: WasmJob): Promise<JobProgress>
  /** Each run's exit code and stdout of a finished `wasm` job, in run order. */
  wasmResult(id: string): Promise<WasmRunOutput[]>
  /**
   * Submit a `wasm` job, wait, and return each run's exit code and stdout. Aborting the signal cancels it.
   * @example
   * const runs = await client.runWasm({ module: './var.wasm', runs: [{ args: ['1000', '10', '0.99', '1'], stdin }],
   *   limits: { memoryBytes: 32 << 20, timeMs: 20_000, outputBytes: 4096 } })
   */
  runWasm(job: WasmJob & WaitOptions): Promise<WasmRunOutput[]>
  /**
   * A streaming session: the model stays loaded, samples run one by one with millisecond latency, and a
   * stateful model's outputs feed back into its inputs. `where: 'local'` (the default) runs it in this
   * process: the data never leaves the machine; `{ peer }`, `{ peers }` or `'nearest'` run it at providers
   * that serve sessions (`--serve-streams`), with failover (src/stream/remote-session.ts).
   * @example
   * const s = await client.stream({ model: './detector.onnx' })
   * for await (const out of s.stream(samples)) if (out.score.data[0] > 0.9) alert()
   */
  stream(options: StreamOptions): Promise<StreamSession>
  /**
   * The node's wallet for paying streaming sessions run in this process (`stream({ ..., wallet })`): the node
   * opens each provider's escrow and signs the vouchers; the key never leaves it.
   */
  sessionWallet(): Promise<SessionWallet>
  /** Reclaim the unpaid rest of a session's escrow job (after its deadline + the redeem window). */
  reclaimSession(escrowJob: string): Promise<{ escrowJob: string; amount: string; txHash: string }>
  /** The node's ledger account: wallet, faucet, staking, contributions, proofs, reclaim. */
  ledger: LedgerClient
  /** Federated learning run by the node: coordinate a job, join one as a holder, follow a run's events. */
  fl: {
    coordinate(request: {
      spec: unknown
      test?: string
      validation?: string
      onnx?: string
    }): Promise<FlRunView>
    join(request: {
      coordinator: string
      job: string
      data: string
      epsilon?: number
      delta?: number
    }): Promise<FlRunView>
    runs(): Promise<FlRunView[]>
    /** A run with its events after sequence number `after`. */
    run(id: string, after?: number): Promise<FlRunView>
  }
  /** The node's provider policy (a provider node): shown, and changed while it runs (saved to its config). */
  provider: {
    policy(): Promise<LivePolicyView>
    setPolicy(change: PolicyChange): Promise<LivePolicyView>
  }
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
    const res = await fetchRetryingReset(`${apiUrl}${path}`, {
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
  const post = <T>(path: string, body: unknown) =>
    json<T>(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })
  const putBlob = (bytes: Uint8Array | readonly Uint8Array[]) => putBlobOnce(call, bytes)
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
    hasBlob: (hash) => hasBlob(call, hash),
    submitSpec,
    async submit(job) {
      const model = typeof job.model === 'string' ? await readBytes(job.model) : job.model
      const [modelHash, inputsHash] = await Promise.all([
        putBlob(model),
        putBlob(encodeTensorParts(job.inputs)),
      ])
      return submitSpec(onnxJobSpec(job, modelHash, inputsHash))
    },
    async submitWasm(job) {
      const module = typeof job.module === 'string' ? await readBytes(job.module) : job.module
      const [modelHash, inputsHash] = await Promise.all([
        putBlob(module),
        putBlob(encodeTensorParts(wasmJobInputs(job.runs, job.limits))),
      ])
      const { name, shardSize, timeoutSeconds, providers, verification, limits } = job
      const maxPricePerUnit = maxPricePerUnitOf(job)
      return submitSpec({
        kind: 'wasm',
        modelHash,
        inputsHash,
        limits,
        name,
        shardSize,
        maxPricePerUnit,
        timeoutSeconds,
        providers: providers as never,
        verification,
      })
    },
    wasmResult: async (id) => wasmJobOutputs(await client.result(id)),
    // loaded on first use: libp2p and onnxruntime are not needed by the other calls
    stream: async (options) => (await import('../stream/open-stream.js')).openStream(options),
    reclaimSession: (escrowJob) => post('/v1/sessions/reclaim', { escrowJob }),
    async sessionWallet() {
      const w = await json<{ chainId: number; address: Address; escrow: Address }>('/v1/sessions/wallet')
      return {
        ...w,
        openEscrow: async (p) =>
          BigInt(
            (
              await post<{ escrowJob: string }>('/v1/sessions/escrow', {
                budget: p.budget.toString(),
                pricePerUnit: p.pricePerUnit.toString(),
                deadline: p.deadline.toString(),
                payee: p.payee,
              })
            ).escrowJob,
          ),
        signVoucher: async (v) =>
          (
            await post<{ signature: Hex }>('/v1/sessions/voucher', {
              jobId: v.jobId.toString(),
              provider: v.provider,
              cumulativeUnits: v.cumulativeUnits.toString(),
              cumulativeAmount: v.cumulativeAmount.toString(),
              receiptsRoot: v.receiptsRoot,
            })
          ).signature,
        redeemFor: async (v, signature) =>
          BigInt(
            (
              await post<{ paid: string }>('/v1/sessions/redeem', {
                jobId: v.jobId.toString(),
                provider: v.provider,
                cumulativeUnits: v.cumulativeUnits.toString(),
                cumulativeAmount: v.cumulativeAmount.toString(),
                receiptsRoot: v.receiptsRoot,
                signature,
              })
            ).paid,
          ),
      }
    },
    async runWasm(job) {
      const progress = await client.submitWasm(job)
      await client.wait(progress.jobId, job)
      return client.wasmResult(progress.jobId)
    },
    job: (id) => json(`/v1/jobs/${encodeURIComponent(id)}`),
    jobs: () => json('/v1/jobs'),
    async wait(id, options = {}) {
      let progress = await client.job(id)
      options.onProgress?.(progress)
      const minInterval = options.minIntervalMs ?? 100
      let lastPoll = 0
      while (progress.status === 'running') {
        const wait = lastPoll + minInterval - Date.now()
        if (wait > 0) await abortableSleep(wait, options.signal)
        if (options.signal?.aborted) {
          await client.cancel(id)
          throw new AbortedError(`Job ${id} was cancelled`)
        }
        lastPoll = Date.now()
        const next = await retryNetwork(
          () => json<JobProgress>(`/v1/jobs/${encodeURIComponent(id)}?after=${progress.version}&waitMs=1000`),
          options.signal,
        )
        if (next.version !== progress.version || next.status !== progress.status) options.onProgress?.(next)
        progress = next
      }
      if (progress.status !== 'done') throw new JobFailedError(progress)
      return progress
    },
    async result(id) {
      const res = await call(`/v1/jobs/${encodeURIComponent(id)}/result`)
      return decodeTensors(new Uint8Array(await res.arrayBuffer()))
    },
    async cancel(id) {
      await call(`/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
    },
    fl: {
      coordinate: (request) => post('/v1/fl/coordinations', request),
      join: (request) => post('/v1/fl/holdings', request),
      runs: () => json('/v1/fl/runs'),
      run: (id, after = -1) => json(`/v1/fl/runs/${encodeURIComponent(id)}?after=${after}`),
    },
    provider: {
      policy: () => json('/v1/provider/policy'),
      setPolicy: (change) =>
        json('/v1/provider/policy', {
          method: 'PUT',
          body: JSON.stringify(change),
          headers: { 'content-type': 'application/json' },
        }),
    },
    ledger: {
      wallet: () => json('/v1/ledger/wallet'),
      faucet: (amount) => post('/v1/ledger/faucet', { amount: amount.toString() }),
      stake: (amount) => post('/v1/ledger/stake', { amount: amount.toString() }),
      unstake: (amount) => post('/v1/ledger/unstake', { amount: amount.toString() }),
      withdraw: () => post('/v1/ledger/withdraw', {}),
      contributions(filter = {}) {
        const q = new URLSearchParams()
        if (filter.provider) q.set('provider', filter.provider)
        if (filter.job !== undefined) q.set('job', filter.job.toString())
        return json(`/v1/ledger/contributions${q.size ? `?${q}` : ''}`)
      },
      activity: ({ account, limit = 100 } = {}) =>
        json(
          `/v1/ledger/activity?${new URLSearchParams({ ...(account ? { account } : {}), limit: `${limit}` })}`,
        ),
      receipts: (limit = 20) => json(`/v1/ledger/receipts?limit=${limit}`),
      prove: (taskId) => json(`/v1/ledger/prove/${encodeURIComponent(taskId)}`),
      reclaim: (jobId) => post(`/v1/jobs/${encodeURIComponent(jobId)}/reclaim`, {}),
    },
    async infer(job) {
      const progress = await client.submit(job)
      await client.wait(progress.jobId, job)
      return client.result(progress.jobId)
    },
  }
  return client
}

/** Sleep `ms`, waking early when `signal` aborts. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Repeat an idempotent call a few times when the connection itself failed (undici's "fetch failed": a
 * reset keep-alive socket, a node busy for seconds); HTTP errors and aborts are thrown at once.
 */
async function retryNetwork<T>(call: () => Promise<T>, signal?: AbortSignal, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call()
    } catch (err) {
      if (!isNetworkError(err) || i >= tries || signal?.aborted) throw err
      await abortableSleep(500 * i, signal)
    }
  }
}
