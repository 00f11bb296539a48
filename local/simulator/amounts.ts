/**
 * "Amount values, such as Rate or Tax, will only appear if the requestor is the source of the booking"
 * (seeds 003, 004). This removes them from a booking for every other supplier: the money lists (Charges, Taxes,
 * AirlineCharges, RailCharges) whole, and every money value wherever it appears (DailyRate, TotalRate, the
 * Ride's Rate, fares, totals). Currencies and everything else stay.
 */
import type { Booking } from '../../shared/concur';

const MONEY_LISTS: ReadonlySet<string> = new Set(['charges', 'taxes', 'airlineCharges', 'railCharges']);

const MONEY_VALUES: ReadonlySet<string> = new Set([
  'amount',
  'dailyRate',
  'totalRate',
  'rate',
  'baseFare',
  'baseFareNuc',
  'totalFare',
  'totalAmount',
  'taxAmount',
  'addCollectAmount',
  'totalAdjustment',
  'comparisonFare',
  'allowanceAmount',
  'bestGdsPrice',
  'bestInternetPrice',
  'quotedPrice',
  'tariffPrice',
  'selectedOtherAmount',
]);

export function withoutAmounts(booking: Booking): Booking {
  return strip(booking) as Booking;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (MONEY_LISTS.has(key) || (MONEY_VALUES.has(key) && typeof field === 'number')) continue;
    out[key] = strip(field);
  }
  return out;
}
