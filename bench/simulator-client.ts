/**
 * The simulator's throughput for booking posts, and the Concur client's overhead per call against it
 * (client.postBooking versus a bare fetch of the same XML), on this machine.
 */
import { buildConcurXml } from '../shared/concur';
import type { Booking } from '../shared/concur';
import { ConcurClient } from '../shared/concur-client';
import { startSimulator } from '../local/simulator';
import { reportLatency, sampleLatency } from './latency';

const booking = (n: number): Booking => ({
  bookingSource: 'BenchSupplier',
  recordLocator: `BENCH-${n}`,
  passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
  segments: [
    {
      kind: 'car',
      vendor: 'ZE',
      confirmationNumber: `C${n}`,
      startDateLocal: '2027-03-21T12:00:00',
      endDateLocal: '2027-03-23T12:00:00',
      startCityCode: 'SEA',
      endCityCode: 'SEA',
      dailyRate: 35,
      currency: 'USD',
    },
  ],
});

export async function runSimulatorClientBench(): Promise<void> {
  const simulator = await startSimulator({ port: 0 });
  const token = simulator.tokens.accessTokenFor();
  const url = `${simulator.url}/api/travel/booking/v1.1?userid_type=login_id&userid_value=cm%40example.com`;
  const post = (xml: string) =>
    fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
      body: Buffer.from(xml),
    }).then((r) => r.text());
  try {
    // Throughput: 8 concurrent senders for 3 s, each posting a booking of its own (an update after the first).
    const deadline = performance.now() + 3_000;
    let posted = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, sender) => {
        const xml = buildConcurXml({ booking: booking(sender) });
        while (performance.now() < deadline) {
          await post(xml);
          posted++;
        }
      }),
    );
    console.log(
      `\nsimulator: ${Math.round(posted / 3).toLocaleString('en-US')} booking posts/s (8 concurrent senders, 3 s, loopback)`,
    );

    const client = new ConcurClient();
    const context = () => ({
      baseUrl: simulator.url,
      accessToken: token,
      loginId: 'cm@example.com',
      deadline: Date.now() + 10_000,
    });
    const xml = buildConcurXml({ booking: booking(100) });
    await post(xml);
    const raw = await sampleLatency('bare fetch of the booking XML', 400, async () => {
      await post(xml);
    });
    const viaClient = await sampleLatency('ConcurClient.postBooking (build, send, parse)', 400, async () => {
      await client.postBooking(context(), booking(100));
    });
    reportLatency('one booking post to the simulator, sequential', [raw, viaClient]);
    console.log(`  client overhead per call (median): ${(viaClient.medianMs - raw.medianMs).toFixed(2)} ms`);
  } finally {
    await simulator.close();
  }
}
