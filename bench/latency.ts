/** Latency sampling: run a call n times in sequence and summarise. */
export interface LatencySummary {
  name: string;
  samples: number;
  medianMs: number;
  p99Ms: number;
}

export async function sampleLatency(
  name: string,
  n: number,
  call: (i: number) => Promise<void>,
): Promise<LatencySummary> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { name, samples: n, medianMs: at(0.5), p99Ms: at(0.99) };
}

export function reportLatency(title: string, rows: LatencySummary[]): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(52)} median ${r.medianMs.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms   (n=${r.samples})`,
    );
  }
}

export interface ThroughputSummary extends LatencySummary {
  clients: number;
  requestsPerSecond: number;
}

/**
 * `clients` callers at once, each making its calls one after another until `total` calls are done: the latency
 * of each call and the calls per second of the whole run.
 */
export async function sampleConcurrent(
  name: string,
  clients: number,
  total: number,
  call: (client: number, i: number) => Promise<void>,
): Promise<ThroughputSummary> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = next++; i < total; i = next++) {
        const start = performance.now();
        await call(client, i);
        times.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return {
    name,
    clients,
    samples: total,
    medianMs: at(0.5),
    p99Ms: at(0.99),
    requestsPerSecond: total / seconds,
  };
}

export function reportThroughput(title: string, rows: ThroughputSummary[]): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(40)} ${String(r.clients).padStart(2)} clients   median ${r.medianMs.toFixed(1).padStart(7)} ms   p99 ${r.p99Ms.toFixed(1).padStart(7)} ms   ${r.requestsPerSecond.toFixed(0).padStart(5)} req/s   (n=${r.samples})`,
    );
  }
}
