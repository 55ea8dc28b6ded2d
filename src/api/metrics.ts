import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'

/** The node's Prometheus registry and the metrics it updates. */
export interface MetricsRegistry {
  metrics(): Promise<string>
  contentType: string
  tasksCompleted: Counter
  tasksFailed: Counter
  shardsAccepted: Counter
  providerFaults: Counter<'kind'>
  peers: Gauge
}

/** Create the registry with default process metrics and Mutirão's own. */
export function createMetrics(): MetricsRegistry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
    tasksCompleted: new Counter({
      name: 'mutirao_provider_tasks_completed_total',
      help: 'Tasks this node ran for others',
      registers: [registry],
    }),
    tasksFailed: new Counter({
      name: 'mutirao_provider_tasks_failed_total',
      help: 'Tasks that failed on this node',
      registers: [registry],
    }),
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
    peers: new Gauge({ name: 'mutirao_peers', help: 'Connected peers', registers: [registry] }),
  }
}
