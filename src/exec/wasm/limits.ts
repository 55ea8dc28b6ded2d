/** Largest module, stdin and output the executor accepts (64 MiB each). Its own module: job files check it without loading the executor. */
export const WASM_MAX_BYTES = 64 * 1024 * 1024
