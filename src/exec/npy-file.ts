import { stat } from 'node:fs/promises'
import { readBytes } from '../read-bytes.js'
import { bad, readNpy } from './npy.js'
import type { Tensor } from './tensor.js'

/**
 * Read a `.npy` file, refusing files larger than `maxBytes` (default 256 MiB) before reading them.
 * @throws InvalidTensorError when the file is too large or not a valid .npy.
 */
export async function readNpyFile(path: string, maxBytes = 256 * 1024 * 1024): Promise<Tensor> {
  const { size } = await stat(path)
  if (size > maxBytes) bad(`${path} is ${size} bytes, over the limit of ${maxBytes}`)
  return readNpy(await readBytes(path))
}
