import { readFile, writeFile } from 'node:fs/promises'
import { InvalidInputError } from '../errors.js'
import { type NodeConfig, NodeConfigSchema } from './schema.js'

const MAX_CONFIG_BYTES = 256 * 1024

/** Parse and validate a config object; throws InvalidInputError naming the bad field. */
export function parseConfig(value: unknown, source = 'config'): NodeConfig {
  const result = NodeConfigSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new InvalidInputError(`Invalid ${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      metaMessages: [`Fix the field in ${source}, or delete the file and run \`mutirao init\` again.`],
    })
  }
  return result.data
}

/** Read `config.json`; a missing file yields the defaults. */
export async function loadConfig(file: string): Promise<NodeConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig({})
    throw err
  }
  if (text.length > MAX_CONFIG_BYTES) throw new InvalidInputError(`${file} is larger than 256 KiB`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`${file} is not valid JSON`, { cause: err })
  }
  return parseConfig(json, file)
}

/** Write `config.json` (pretty-printed). */
export async function saveConfig(file: string, config: NodeConfig): Promise<void> {
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
}
