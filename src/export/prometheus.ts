// `--metrics 127.0.0.1:9464`: a /metrics endpoint in the Prometheus text format, built with prom-client
// (no hand-written exposition format). Values are pulled from the session at scrape time, so sampling
// pays nothing for the exporter between scrapes. Loopback unless the user names another address.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { UsageError } from '../errors.js';
import type { ColumnValue } from '../sample/types.js';
import type { SamplerStats } from '../sample/sampler.js';

export interface MetricsSource {
  columns: readonly string[];
  /** Latest value per column (undefined/null = none yet). */
  lastValues(): readonly (ColumnValue | undefined)[];
  stats(): SamplerStats;
}

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** "9464", ":9464", "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464". */
export function parseListenAddress(spec: string | number): { host: string; port: number } {
  const s = String(spec).trim();
  const m = /^\d+$/.test(s) ? [s, undefined, undefined, s] : /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new UsageError(`bad --metrics '${spec}': use PORT or HOST:PORT, e.g. 127.0.0.1:9464`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function numeric(v: ColumnValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

export function buildRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heapscope_process_' });
  new Gauge({
    name: 'heapscope_watch_value',
    help: 'Latest value of each watched expression (numeric leaves only)',
    labelNames: ['expr'],
    registers: [registry],
    collect() {
      this.reset();
      const values = source.lastValues();
      source.columns.forEach((expr, i) => {
        const v = numeric(values[i]);
        if (v !== null) this.set({ expr }, v);
      });
    },
  });
  // Counters only go up: add what changed since the last scrape.
  const counter = (name: string, help: string, read: (s: SamplerStats) => number): void => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read(source.stats());
        if (now > seen) this.inc(now - seen);
        seen = Math.max(seen, now);
      },
    });
  };
  counter('heapscope_samples_total', 'Samples read from the target', (s) => s.samples);
  counter('heapscope_overruns_total', 'Ticks skipped because the previous read was still running', (s) => s.scheduler.overruns);
  counter('heapscope_gaps_total', 'Times the probe connection was lost', (s) => s.gaps);
  counter('heapscope_reconnects_total', 'Successful reconnections to the probe', (s) => s.reconnects);
  new Gauge({
    name: 'heapscope_lateness_seconds',
    help: 'Read start minus due time over the run',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      const l = source.stats().scheduler.lateness;
      this.set({ stat: 'p50' }, l.p50Ms / 1000);
      this.set({ stat: 'p99' }, l.p99Ms / 1000);
      this.set({ stat: 'max' }, l.maxMs / 1000);
    },
  });
  new Gauge({
    name: 'heapscope_achieved_rate_hz',
    help: 'Achieved sampling rate per rate group',
    labelNames: ['requested_hz'],
    registers: [registry],
    collect() {
      for (const g of source.stats().scheduler.groups) this.set({ requested_hz: String(g.rateHz) }, g.achievedHz);
    },
  });
  new Gauge({
    name: 'heapscope_probe_up',
    help: '1 while the probe answers, 0 while reconnecting',
    registers: [registry],
    collect() {
      this.set(source.stats().probeUp ? 1 : 0);
    },
  });
  return registry;
}

export async function startMetricsServer(
  source: MetricsSource,
  listen: { host: string; port: number },
): Promise<MetricsServer> {
  const registry = buildRegistry(source);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('heapscope: see /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          `cannot serve metrics on ${listen.host}:${listen.port}: ` +
            (err.code === 'EADDRINUSE' ? 'the port is in use' : err.message),
        ),
      ),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    registry,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
