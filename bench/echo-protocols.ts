/** Protocols of the baseline peer of `npm run bench:dispatch` (bench/echo-peer.ts). */
export const ECHO_PROTOCOLS = { echo: '/mutirao-bench/echo/1', echoWorker: '/mutirao-bench/echo-worker/1' }
