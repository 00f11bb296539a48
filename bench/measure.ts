/** A tiny benchmark harness: warm up, then run each case for a fixed time several times and keep the median. */
export interface BenchResult {
  name: string;
  opsPerSecond: number;
  /** Spread of the rounds, as min–max ops/s. */
  range: [number, number];
}

export function measure(name: string, fn: () => unknown, { rounds = 5, roundMs = 400 } = {}): BenchResult {
  const deadline = performance.now() + 200;
  while (performance.now() < deadline) fn();
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      for (let i = 0; i < 20; i++) fn();
      count += 20;
      now = performance.now();
    }
    rates.push((count * 1000) / (now - start));
  }
  rates.sort((a, b) => a - b);
  return {
    name,
    opsPerSecond: rates[Math.floor(rates.length / 2)]!,
    range: [rates[0]!, rates[rates.length - 1]!],
  };
}

export function report(title: string, results: BenchResult[]): void {
  console.log(`\n${title}`);
  for (const r of results) {
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      `  ${r.name.padEnd(52)} ${fmt(r.opsPerSecond).padStart(10)} /s  (rounds ${fmt(r.range[0])}–${fmt(r.range[1])})`,
    );
  }
}
