/**
 * The identifiers Concur generates: trip ids (opaque, and every second one carries a `$` so that clients that
 * forget to URL-encode ids fail in tests, not in production), client locators, cancellation numbers.
 */
import { SeededRandom } from './random';

export interface IdsSnapshot {
  trips: number;
  random: number;
}

export class IdGenerator {
  private random: SeededRandom;
  private trips = 0;

  constructor(private readonly seed: number) {
    this.random = new SeededRandom(seed, 'ids');
  }

  reset(): void {
    this.random = new SeededRandom(this.seed, 'ids');
    this.trips = 0;
  }

  /** Where the generator stands, for a snapshot of the simulator. */
  snapshot(): IdsSnapshot {
    return { trips: this.trips, random: this.random.state };
  }

  restore(snapshot: IdsSnapshot): void {
    this.trips = snapshot.trips;
    this.random.state = snapshot.random;
  }

  /** 33 characters like Concur's encrypted trip ids (`naIzQJ0y2DBWjCIQOb2SHTsozwBsHDkdP`). */
  tripId(): string {
    this.trips++;
    const id = this.random.string(33);
    if (this.trips % 2 === 1) return id;
    const at = this.random.int(1, id.length - 2);
    return `${id.slice(0, at)}$${id.slice(at + 1)}`;
  }

  /** Shaped like the seeds' `KK-CNQ-1M1P6-5HJ`. */
  clientLocator(): string {
    return `SM-CNQ-${this.random.upper(5)}-${this.random.upper(3)}`;
  }

  cancellationNumber(): string {
    return this.random.digits(10);
  }
}
