import { inspectModel } from '../exec/model-info.js'
import { readNpy } from '../exec/npy.js'
import type { TensorMap } from '../exec/tensor.js'
import { encodeTensors } from '../exec/tensor-codec.js'
import { parsePrice } from '../market/price.js'
import type { DashboardApi } from './api.js'
import { esc } from './render.js'

/** Largest file the form reads into the page (the node refuses blobs over its own limit anyway). */
const MAX_FILE_BYTES = 256 * 1024 * 1024

async function fileBytes(input: HTMLInputElement | null, what: string): Promise<Uint8Array> {
  const file = input?.files?.[0]
  if (!file) throw new Error(`choose ${what}`)
  if (file.size > MAX_FILE_BYTES) throw new Error(`${what} is ${file.size} bytes, over ${MAX_FILE_BYTES}`)
  return new Uint8Array(await file.arrayBuffer())
}

/**
 * The "submit a job" form: the ONNX model (read here, so the form asks for one `.npy` per input it declares),
 * the inputs, and the job's terms; uploads both blobs, submits the job and says which job it became (or what
 * was wrong, in the node's words). The job then shows in the jobs table, live.
 */
export function submitForm(api: DashboardApi, form: HTMLFormElement, msg: HTMLElement): void {
  const model = form.elements.namedItem('model') as HTMLInputElement
  const inputs = form.querySelector<HTMLElement>('#submit-inputs')!
  const say = (text: string, bad = false) => {
    msg.textContent = text
    msg.className = bad ? 'bad' : ''
  }
  model.addEventListener('change', async () => {
    inputs.innerHTML = ''
    try {
      const info = inspectModel(await fileBytes(model, 'a model'))
      inputs.innerHTML = info.inputs
        .map(
          (v, i) =>
            `<label>Input <b>${esc(v.name)}</b> (${esc(v.dtype)} [${v.dims.map(esc).join(', ')}]), a .npy file <input type="file" accept=".npy" required data-input="${esc(v.name)}" id="submit-input-${i}"></label>`,
        )
        .join('')
      say(`model with ${info.inputs.length} input(s): choose a .npy for each`)
    } catch (e) {
      say(`not a model this node can run: ${(e as Error).message}`, true)
    }
  })
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim()
    try {
      const modelBytes = await fileBytes(model, 'a model')
      const tensors: TensorMap = {}
      for (const el of inputs.querySelectorAll<HTMLInputElement>('input[data-input]'))
        tensors[el.dataset.input!] = readNpy(await fileBytes(el, `the .npy of ${el.dataset.input}`))
      if (!Object.keys(tensors).length) throw new Error('choose a model first')
      say('uploading the model and the inputs…')
      const put = (bytes: Uint8Array) =>
        api.send<{ hash: string }>('POST', '/v1/blobs', bytes, true).then((r) => r.hash)
      const [modelHash, inputsHash] = await Promise.all([put(modelBytes), put(encodeTensors(tensors))])
      const providers = Number(field('providers'))
      const job = await api.send<{ jobId: string }>('POST', '/v1/jobs', {
        kind: 'onnx-inference',
        modelHash,
        inputsHash,
        ...(field('name') && { name: field('name') }),
        shardSize: Number(field('shardSize')),
        maxPricePerUnit: parsePrice(field('maxPrice')).toString(),
        providers: { min: providers, max: providers },
        verification: { policy: field('verification') },
      })
      say(`submitted ${job.jobId}: follow it in the jobs table`)
      form.dataset.lastJob = job.jobId
    } catch (err) {
      say(`not submitted: ${(err as Error).message}`, true)
    }
  })
}
