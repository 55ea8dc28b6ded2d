/** Node globals some shared code touches (`Buffer` in net/signing.ts), for the browser bundle. */
// biome-ignore lint/style/useNodejsImportProtocol: the npm `buffer` package, not Node's builtin
import { Buffer } from 'buffer'

export { Buffer }
