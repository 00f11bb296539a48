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
