import { open, stat } from 'node:fs/promises'
import { type FileRange, readBytes } from '../read-bytes.js'
import { bad, NPY_MAX_HEAD, readNpy, readNpyHeader } from './npy.js'
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

/**
 * A `.npy` file's dtype and dims, and where in the file its data is, from its header alone (the data is
 * not read): the same checks as {@link readNpyFile}.
 * @throws InvalidTensorError when the file is too large or not a valid .npy.
 */
export async function locateNpyFile(
  path: string,
  maxBytes = 256 * 1024 * 1024,
): Promise<Pick<Tensor, 'dtype' | 'dims'> & { data: FileRange }> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    if (size > maxBytes) bad(`${path} is ${size} bytes, over the limit of ${maxBytes}`)
    const head = new Uint8Array(Math.min(size, NPY_MAX_HEAD))
    const { bytesRead } = await file.read(head, 0, head.byteLength, 0)
    const { dtype, dims, dataStart } = readNpyHeader(head.subarray(0, bytesRead), size)
    return { dtype, dims, data: { path, offset: dataStart, byteLength: size - dataStart } }
  } finally {
    await file.close()
  }
}
