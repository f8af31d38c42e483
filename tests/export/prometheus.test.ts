import { describe, expect, it } from 'vitest';
import { parseListenAddress, startMetricsServer } from '../../src/export/prometheus.js';
import type { SamplerStats } from '../../src/sample/sampler.js';

const stats: SamplerStats = {
  samples: 42,
  gaps: 1,
  reconnects: 1,
  probeUp: true,
  downS: 2,
  outageS: 0,
  scheduler: {
    elapsedS: 1,
    ticks: 42,
    overruns: 3,
    skippedLate: 0,
    missedPaused: 0,
    lateness: { count: 42, p50Ms: 0.5, p99Ms: 2, maxMs: 4, meanMs: 0.6 },
    groups: [{ id: '100 Hz', rateHz: 100, served: 42, overruns: 3, skippedLate: 0, missedPaused: 0, achievedHz: 42 }],
  },
};

describe('Prometheus exporter', () => {
  it('parses PORT, HOST:PORT and [v6]:PORT, loopback by default', () => {
    expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress(9464)).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(() => parseListenAddress('localhost')).toThrow(/bad --metrics 'localhost'/);
  });

  it('serves gauges per watch and health counters over HTTP in the text format', async () => {
    const values: (number | bigint | string | null | undefined)[] = [1234, 5n, 'text', undefined];
    const srv = await startMetricsServer(
      { columns: ['g_heap.used', 'g_big', 'g_name', 'never'], lastValues: () => values, stats: () => stats },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const res = await fetch(srv.url);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('heapscope_watch_value{expr="g_heap.used"} 1234');
      expect(text).toContain('heapscope_watch_value{expr="g_big"} 5');
      expect(text).not.toContain('expr="g_name"');
      expect(text).toContain('heapscope_samples_total 42');
      expect(text).toContain('heapscope_overruns_total 3');
      expect(text).toContain('heapscope_lateness_seconds{stat="p99"} 0.002');
      expect(text).toContain('heapscope_achieved_rate_hz{requested_hz="100"} 42');
      expect(text).toContain('heapscope_probe_up 1');
      // Counters only grow: a second scrape after more samples adds the difference.
      stats.samples = 50;
      expect(await (await fetch(srv.url)).text()).toContain('heapscope_samples_total 50');
      expect((await fetch(srv.url.replace('/metrics', '/nope'))).status).toBe(404);
    } finally {
      await srv.close();
    }
  });
});
