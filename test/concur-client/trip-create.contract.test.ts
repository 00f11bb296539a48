/**
 * A trip create is never sent twice blindly: Concur never merges posted trips, so after an attempt of unknown
 * outcome the client looks for the trip before sending the create again (the simulator commits, then loses
 * the answer).
 */
import { describe, expect, it } from 'vitest';
import type { Itinerary } from '../../shared/concur';
import { ConcurApiError } from '../../shared/concur-client';
import { contextFor, recordingClient, TRAVELER, tripWithCar, unique, useSimulator } from './support';

const simulator = useSimulator();
const context = (overrides = {}) => contextFor(simulator(), overrides);
const tripsNamed = (name: string) =>
  simulator()
    .state.trips()
    .filter((trip) => trip.header.tripName === name);

describe('a trip create of unknown outcome', () => {
  it.each([
    { label: 'hangs after Concur created the trip', action: { kind: 'hang' as const, commit: true } },
    {
      label: 'loses its connection after Concur created the trip',
      action: { kind: 'destroy' as const, commit: true },
    },
    {
      label: 'gets a 502 after Concur created the trip',
      action: { kind: 'status' as const, status: 502, commit: true },
    },
  ])('$label: found in the trip list, with exactly one create sent', async ({ action }) => {
    const { client, logs } = recordingClient({ perAttemptTimeoutMs: 2_000 });
    const name = unique('Lost answer');
    simulator().requests.clear();
    simulator().faults.failNext('tripCreate', action, 1);
    const result = await client.createTrip(context(), tripWithCar(name, [20, 22]));

    expect(result.reconciled).toBe(true);
    expect(result.attempts).toBe(1);
    expect(result.value.tripName).toBe(name);
    expect(tripsNamed(name)).toHaveLength(1);
    expect(result.value.itinLocator).toBe(tripsNamed(name)[0]!.id);
    expect(simulator().requests.of('tripCreate')).toHaveLength(1);
    const [lookup] = simulator().requests.of('tripList');
    expect(lookup!.query).toMatchObject({
      createdAfterDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      userid_type: 'login_id',
      userid_value: TRAVELER,
    });
    expect(logs.map((line) => line.message)).toContain('concur outcome unknown: reconciling');
  });

  it('sends the create once more when Concur never made the trip', async () => {
    const { client, waits } = recordingClient();
    const name = unique('Never made');
    simulator().requests.clear();
    simulator().faults.failNext('tripCreate', { kind: 'destroy' }, 1);
    const result = await client.createTrip(context(), tripWithCar(name, [23, 24]));
    expect(result.reconciled).toBeUndefined();
    expect(result.attempts).toBe(2);
    expect(waits).toHaveLength(1);
    expect(simulator().requests.of('tripCreate')).toHaveLength(2);
    expect(simulator().requests.of('tripList')).toHaveLength(1);
    expect(tripsNamed(name)).toHaveLength(1);
  });

  it('finds its trip although Concur moved the dates to cover the segments', async () => {
    const { client } = recordingClient({ perAttemptTimeoutMs: 2_000 });
    const name = unique('Redated');
    // Posted for the 15th alone; Concur moves the dates to cover the car's days (the 14th to the 16th).
    const sent: Itinerary = {
      ...tripWithCar(name, [14, 16]),
      startDateLocal: '2027-03-15T00:00:00',
      endDateLocal: '2027-03-15T23:00:00',
      clientLocator: 'KK-REDATED',
    };
    simulator().faults.failNext('tripCreate', { kind: 'hang', commit: true }, 1);
    const result = await client.createTrip(context(), sent);
    expect(result).toMatchObject({ reconciled: true, value: { clientLocator: 'KK-REDATED' } });
    expect(result.value.startDateLocal).toBe('2027-03-14T10:00:00');
    expect(tripsNamed(name)).toHaveLength(1);
    expect(
      simulator()
        .requests.of('tripCreate')
        .filter((entry) => entry.body.includes(name)),
    ).toHaveLength(1);
  });

  it('tells its trip from same-named ones by ClientLocator', async () => {
    const { client } = recordingClient({ perAttemptTimeoutMs: 2_000 });
    const name = unique('Located');
    const withLocator = (clientLocator: string): Itinerary => ({
      ...tripWithCar(name, [12, 13]),
      clientLocator,
    });
    await client.createTrip(context(), withLocator('KK-OTHER-1'));
    await client.createTrip(context(), withLocator('KK-OTHER-2'));
    simulator().faults.failNext('tripCreate', { kind: 'hang', commit: true }, 1);
    const result = await client.createTrip(context(), withLocator('KK-MINE'));
    expect(result).toMatchObject({ reconciled: true, value: { clientLocator: 'KK-MINE' } });
    expect(tripsNamed(name)).toHaveLength(3);
  });

  it('ends as outcome-unknown when several trips match, without sending the create again', async () => {
    const { client } = recordingClient();
    const name = unique('Twin');
    await client.createTrip(context(), tripWithCar(name, [26, 27]));
    await client.createTrip(context(), tripWithCar(name, [26, 27]));
    simulator().requests.clear();
    simulator().faults.failNext('tripCreate', { kind: 'status', status: 502 }, 1);
    const error = await client.createTrip(context(), tripWithCar(name, [26, 27])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(error).toMatchObject({ kind: 'outcome-unknown', attempts: 1 });
    expect((error as Error).message).toMatch(/2 trips match/);
    expect(simulator().requests.of('tripCreate')).toHaveLength(1);
  });

  it('ends as outcome-unknown when the trip list cannot be read', async () => {
    const { client } = recordingClient({ perAttemptTimeoutMs: 2_000, retry: { maxAttempts: 2 } });
    const name = unique('Unreadable');
    simulator().requests.clear();
    simulator().faults.failNext('tripCreate', { kind: 'hang', commit: true }, 1);
    simulator().faults.failNext('tripList', { kind: 'status', status: 500 }, 5);
    const error = await client.createTrip(context(), tripWithCar(name, [18, 18])).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'outcome-unknown', attempts: 1 });
    expect((error as Error).message).toMatch(/cannot be told/);
    expect(simulator().requests.of('tripCreate')).toHaveLength(1);
    expect(tripsNamed(name)).toHaveLength(1);
  });

  it('ends as outcome-unknown when the deadline leaves no time to look', async () => {
    const { client } = recordingClient();
    simulator().requests.clear();
    simulator().faults.failNext('tripCreate', { kind: 'hang', commit: true }, 1);
    const error = await client
      .createTrip(context({ deadline: Date.now() + 150 }), tripWithCar(unique('Late'), [19, 19]))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'outcome-unknown', attempts: 1 });
    expect(simulator().requests.of('tripCreate')).toHaveLength(1);
  });

  it('retries a 429 normally: Concur refused it, so there is nothing to look for', async () => {
    const { client, waits } = recordingClient();
    simulator().requests.clear();
    simulator().faults.failNext('tripCreate', { kind: 'status', status: 429, retryAfter: 1 }, 1);
    const result = await client.createTrip(context(), tripWithCar(unique('Throttled'), [17, 17]));
    expect(result).toMatchObject({ attempts: 2 });
    expect(result.reconciled).toBeUndefined();
    expect(waits).toEqual([1000]);
    expect(simulator().requests.of('tripList')).toHaveLength(0);
  });
});
