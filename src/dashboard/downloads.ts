import { writeNpy } from '../exec/npy.js'
import { decodeTensors } from '../exec/tensor-codec.js'
import type { DashboardApi } from './api.js'

/** One output of a finished job, saved as a `.npy` the browser can download. */
export interface OutputFile {
  name: string
  href: string
  label: string
}

/**
 * Results of finished jobs as `.npy` files: a click on a job's "Get results" fetches its outputs once
 * (`GET /v1/jobs/:id/result`) and keeps one object URL per output for the jobs table to link.
 */
export class ResultFiles {
  readonly #files = new Map<string, OutputFile[] | string>()

  constructor(private readonly api: DashboardApi) {}

  /** A job's files, or why they could not be fetched. */
  get(jobId: string): OutputFile[] | string | undefined {
    return this.#files.get(jobId)
  }

  async fetch(jobId: string): Promise<void> {
    try {
      const outputs = decodeTensors(await this.api.bytes(`/v1/jobs/${encodeURIComponent(jobId)}/result`))
      this.#files.set(
        jobId,
        Object.entries(outputs).map(([name, t]) => ({
          name: `${jobId}-${name}.npy`,
          href: URL.createObjectURL(new Blob([writeNpy(t) as Uint8Array<ArrayBuffer>])),
          label: `${name}.npy (${t.dtype} [${t.dims.join('×')}])`,
        })),
      )
    } catch (e) {
      this.#files.set(jobId, `results not fetched: ${(e as Error).message}`)
    }
  }
}
