import { spawn } from 'node:child_process'
import { Command } from 'commander'
import { dataDirLayout } from '../../identity/data-dir.js'
import { readNodeInfo } from '../../node/node-info.js'
import { EXIT } from '../exit-codes.js'
import { runCommand } from '../output.js'

/** The dashboard's URL: the token rides in the fragment, which the browser never sends to a server. */
export const dashboardUrl = (apiUrl: string, token: string): string =>
  `${apiUrl}/#token=${encodeURIComponent(token)}`

/** `mutirao ui`: the running node's dashboard, opened in the browser (or its URL printed). */
export function uiCommand(): Command {
  return new Command('ui')
    .description("open the running node's dashboard (its URL carries the API token: keep it private)")
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--print', 'print the URL and exit, opening nothing')
    .action((opts) =>
      runCommand(false, async () => {
        const { info, token } = await readNodeInfo(dataDirLayout(opts.dataDir))
        const url = dashboardUrl(info.apiUrl, token)
        console.log(url)
        if (!opts.print) {
          const opener =
            process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
          spawn(opener, [url], { detached: true, stdio: 'ignore' })
            .on('error', () => console.error(`could not start ${opener}: open the URL above in a browser`))
            .unref()
        }
        return EXIT.ok
      }),
    )
}
