import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'

/** The node's Prometheus registry and the metrics it updates. */
export interface MetricsRegistry {
  metrics(): Promise<string>
  contentType: string
  shardsAccepted: Counter
  providerFaults: Counter<'kind'>
}

/**
 * What the scrape-time metrics read: the same sources `status` reads, so the two always agree
 * (connected peers; the provider's task counters, absent when the node does not provide).
 */
export interface MetricSources {
  peers(): number
  providerTasks(): { running: number; completed: number; failed: number } | undefined
}

/** Create the registry with default process metrics and Mutirão's own. */
export function createMetrics(sources: MetricSources): MetricsRegistry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  /** A counter mirroring a monotonic count kept elsewhere, read at scrape time. */
  const mirrored = (name: string, help: string, read: () => number | undefined) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset()
        this.inc(read() ?? 0)
      },
    })
  mirrored(
    'mutirao_provider_tasks_completed_total',
    'Tasks this node ran for others',
    () => sources.providerTasks()?.completed,
  )
  mirrored(
    'mutirao_provider_tasks_failed_total',
    'Tasks that failed on this node',
    () => sources.providerTasks()?.failed,
  )
  new Gauge({
    name: 'mutirao_provider_tasks_running',
    help: 'Tasks running on this node now',
    registers: [registry],
    collect() {
      this.set(sources.providerTasks()?.running ?? 0)
    },
  })
  new Gauge({
    name: 'mutirao_peers',
    help: 'Connected peers (as `mutirao status` counts them)',
    registers: [registry],
    collect() {
      this.set(sources.peers())
    },
  })
  return {
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
    shardsAccepted: new Counter({
      name: 'mutirao_requester_shards_accepted_total',
      help: 'Results accepted from providers',
      registers: [registry],
    }),
    providerFaults: new Counter({
      name: 'mutirao_requester_provider_faults_total',
      help: 'Provider faults seen',
      labelNames: ['kind'],
      registers: [registry],
    }),
  }
}
