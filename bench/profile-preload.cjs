// CPU profiles of running node processes, for bench/dispatch.ts (node refuses --cpu-prof in NODE_OPTIONS):
//   PROF_FLAG=/tmp/p/flag PROF_JOB='wide MLP (30-512-512-2):2000' \
//     NODE_OPTIONS="--require $PWD/bench/profile-preload.cjs" npx tsx bench/dispatch.ts --only-b --wide-only
// Every thread of every process started with it (bench, requester, providers, their workers) records a
// profile while the file $PROF_FLAG exists, and writes $PROF_FLAG.<pid>.<threadId>.<n>.cpuprofile when it
// is removed (open in Chrome DevTools or speedscope). Without PROF_FLAG it does nothing. PROF_INTERVAL_US sets the
// sampling interval (default 500 µs; 5000 keeps the profiler's own cost small on an idle node).
const { Session } = require('node:inspector')
const fs = require('node:fs')
const { threadId } = require('node:worker_threads')

const flag = process.env.PROF_FLAG
if (flag) {
  let session = null
  let n = 0
  const tick = () => {
    const on = fs.existsSync(flag)
    if (on && !session) {
      session = new Session()
      session.connect()
      session.post('Profiler.enable')
      session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PROF_INTERVAL_US) || 500 })
      session.post('Profiler.start')
    } else if (!on && session) {
      const s = session
      session = null
      s.post('Profiler.stop', (err, res) => {
        if (!err)
          fs.writeFileSync(
            `${flag}.${process.pid}.${threadId}.${n++}.cpuprofile`,
            JSON.stringify(res.profile),
          )
        s.disconnect()
      })
    }
  }
  setInterval(tick, 100).unref()
}
