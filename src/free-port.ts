import { createServer } from 'node:net'

/**
 * A free TCP port on `host` (`port` itself when given and free; rejects when it is taken). 0 lets the OS
 * pick one.
 */
export async function freePort(port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(port, host, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}
