import { readFile } from 'node:fs/promises'
import { InvalidInputError } from '../errors.js'
import { openLocalSession, type SessionOptions, type StreamSession } from './local-session.js'

/** Where a streaming session runs. Only `local` (this machine: the data never leaves it) is built. */
export type StreamWhere = 'local' | { peer: string } | 'nearest'

/** Options of {@link openStream}. */
export interface StreamOptions extends SessionOptions {
  /** The ONNX model (bytes or a path). */
  model: Uint8Array | string
  where?: StreamWhere
}

/**
 * Open a streaming session (SDK `client.stream`, CLI `mutirao stream`).
 * @throws InvalidInputError for a `where` other than `local`: sessions to a peer are not built yet.
 */
export async function openStream(options: StreamOptions): Promise<StreamSession> {
  const where = options.where ?? 'local'
  if (where !== 'local')
    throw new InvalidInputError(
      `streaming sessions to ${typeof where === 'string' ? where : `peer ${where.peer}`} are not built yet`,
      {
        metaMessages: ['Run the session on this machine: where: "local" (mutirao stream --where local).'],
      },
    )
  const bytes =
    typeof options.model === 'string' ? new Uint8Array(await readFile(options.model)) : options.model
  return openLocalSession(bytes, options)
}
