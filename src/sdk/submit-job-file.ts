import { stat } from 'node:fs/promises'
import type { Tensor } from '../exec/tensor.js'
import { encodeTensorParts } from '../exec/tensor-codec.js'
import { locateTensorSpec } from '../exec/tensor-spec.js'
import type { FileRange } from '../read-bytes.js'
import type { JobProgress } from '../requester/job-spec.js'
import { sha256HexOf } from '../store/sha256-file.js'
import { ApiError, type MutiraoClient } from './client.js'
import type { SubmitOptions } from './client-options.js'
import { inputSpec, type JobFile, loadParsedJobFile, type ParsedJobFile, parseJobFile } from './job-file.js'
import { onnxJobSpec } from './job-spec-input.js'

/** The options a job file gives for its submission. */
export const submitOptionsOf = (file: SubmitOptions): SubmitOptions => {
  const { name, shardSize, maxPricePerUnit, maxPrice, timeoutSeconds, providers, verification } = file
  return { name, shardSize, maxPricePerUnit, maxPrice, timeoutSeconds, providers, verification }
}

/**
 * Submit a job file (`mutirao submit job.json`) through the node; resolves once the node accepted it.
 * When the node already holds an ONNX job's model and input set (an earlier job's), the job goes by their
 * content addresses alone: the files are hashed in chunks and never held whole in memory, and the node
 * checks the job as it checks any (36 MB model and 41 MB input: ~0.1 s here where loading them took ~0.5 s).
 * Otherwise — and whenever that way fails on the job's content — the file is loaded and checked here
 * (loadJobFile, whose errors name the file), and what the node lacks is sent.
 * @throws InvalidInputError naming what is wrong with the file; ApiError for the node's refusals.
 */
export async function submitJobFile(
  client: Pick<MutiraoClient, 'hasBlob' | 'submitSpec' | 'submit' | 'submitWasm'>,
  path: string,
): Promise<JobProgress> {
  const parsed = await parseJobFile(path)
  if (parsed.kind === 'onnx-inference') {
    const known = await submitKnown(client, parsed)
    if (known) return known
  }
  const job = await loadParsedJobFile(parsed, path) // the file is read once
  const options = submitOptionsOf(job.file)
  return job.kind === 'wasm'
    ? client.submitWasm({ module: job.module, runs: job.runs, limits: job.limits, ...options })
    : client.submit({ model: job.model, inputs: job.inputs, batchAxes: job.batchAxes, ...options })
}

/** Submit by content address if the node holds both blobs; undefined where the job must be loaded. */
async function submitKnown(
  client: Pick<MutiraoClient, 'hasBlob' | 'submitSpec'>,
  job: Extract<ParsedJobFile, { kind: 'onnx-inference' }>,
): Promise<JobProgress | undefined> {
  // a file that cannot be addressed (unreadable, not .npy, …) is reported by loadJobFile, naming it
  const address = await addressJobFile(job.file, job.baseDir, job.modelPath).catch(() => undefined)
  if (!address) return
  if (!(await client.hasBlob(address.modelHash)) || !(await client.hasBlob(address.inputsHash))) return
  return client
    .submitSpec(
      onnxJobSpec(
        { ...submitOptionsOf(job.file), batchAxes: job.batchAxes },
        address.modelHash,
        address.inputsHash,
      ),
    )
    .catch((err: unknown) => {
      // the node refused the job's content (inputs that do not fit the model, say): loading it here says
      // so naming the file; any other failure is the answer
      if (err instanceof ApiError && err.status === 400) return undefined
      throw err
    })
}

/**
 * The content addresses of an ONNX job file's model and input set (as `client.submit` would send them),
 * from the files read in chunks: only the `.npy` headers are parsed, nothing is held whole.
 * @throws InvalidTensorError (or a file system error) for an input that cannot be read.
 */
export async function addressJobFile(
  file: JobFile,
  baseDir: string,
  modelPath: string,
): Promise<{ modelHash: string; inputsHash: string }> {
  const model: FileRange = { path: modelPath, offset: 0, byteLength: (await stat(modelPath)).size }
  const inputs: Record<string, Pick<Tensor, 'dtype' | 'dims'> & { data: Uint8Array | FileRange }> = {}
  for (const [name, entry] of Object.entries(file.inputs))
    inputs[name] = await locateTensorSpec(inputSpec(entry), { baseDir })
  const [modelHash, inputsHash] = await Promise.all([
    sha256HexOf([model]),
    sha256HexOf(encodeTensorParts(inputs)),
  ])
  return { modelHash, inputsHash }
}
