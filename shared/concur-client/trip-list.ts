/**
 * The trip list's query parameters and its two answer shapes (a bare list, or a page in ConnectResponse). A list
 * is one traveler's: the context's loginId, else the token's own user. Concur withdrew the company-wide list
 * (`userid_value=ALL`) and the transport refuses to send it.
 */
import type { ConnectResponse, ItineraryInfo, ParsedDocument } from '../concur';

export interface TripListFilters {
  /** `YYYY-MM-DD`: trips ongoing on or after this day. Concur's default without any date filter: today − 30 days. */
  startDate?: string;
  /** `YYYY-MM-DD`: trips ongoing on or before this day. Default without any date filter: today + 12 months. */
  endDate?: string;
  createdAfterDate?: string;
  createdBeforeDate?: string;
  /** A date or date and time: trips changed at or after it. */
  lastModifiedDate?: string;
  bookingType?: 'Air' | 'Car' | 'Dining' | 'Hotel' | 'Parking' | 'Rail' | 'Ride' | (string & {});
  includeCanceledTrips?: boolean;
  includePersonalTrips?: boolean;
  /** Trips booked offline through Travel Request (`includeVirtualTrip=1`). */
  includeVirtualTrip?: boolean;
  includeGuestBookings?: boolean;
}

export interface PageRequest {
  /** 1-based. */
  page: number;
  /** Concur's default when a page is asked for: 200. */
  itemsPerPage?: number;
}

export interface Paging {
  totalPages: number;
  totalItems: number;
  currentPage: number;
  itemsPerPage: number;
}

export interface TripListPage {
  trips: ItineraryInfo[];
  /** Present when a page was asked for (Concur's ConnectResponse metadata). */
  paging?: Paging;
}

export const DEFAULT_PAGE_SIZE = 200;

const flag = (value: boolean | undefined) => (value === undefined ? undefined : String(value));

export function tripListQuery(
  filters: TripListFilters,
  page?: PageRequest,
): Record<string, string | undefined> {
  return {
    startDate: filters.startDate,
    endDate: filters.endDate,
    createdAfterDate: filters.createdAfterDate,
    createdBeforeDate: filters.createdBeforeDate,
    lastModifiedDate: filters.lastModifiedDate,
    bookingType: filters.bookingType,
    includeCanceledTrips: flag(filters.includeCanceledTrips),
    includePersonalTrips: flag(filters.includePersonalTrips),
    // Seed 003: "Set the includeVirtualTrip query parameter to 1".
    includeVirtualTrip:
      filters.includeVirtualTrip === undefined ? undefined : filters.includeVirtualTrip ? '1' : '0',
    includeGuestBookings: flag(filters.includeGuestBookings),
    ...(page
      ? {
          includeMetadata: 'true',
          ItemsPerPage: String(page.itemsPerPage ?? DEFAULT_PAGE_SIZE),
          Page: String(page.page),
        }
      : {}),
  };
}

/** The page in a parsed list answer; undefined when the document is not a trip list. */
export function readTripList(document: ParsedDocument): TripListPage | undefined {
  if ('connectResponse' in document) {
    const answer = document.connectResponse as ConnectResponse;
    const paging = answer.metadata?.paging;
    return {
      trips: compact(answer.data?.itineraryInfoList),
      ...(paging
        ? {
            paging: {
              totalPages: Number(paging.totalPages ?? 0),
              totalItems: Number(paging.totalItems ?? 0),
              currentPage: Number(paging.currentPage ?? 0),
              itemsPerPage: Number(paging.itemsPerPage ?? 0),
            },
          }
        : {}),
    };
  }
  if ('itineraryInfoList' in document) {
    return { trips: compact(document.itineraryInfoList as (ItineraryInfo | null)[] | null) };
  }
  return undefined;
}

// A list with one item looks like a single element, and nil items can appear: always a clean array.
function compact<T>(items: (T | null)[] | null | undefined): T[] {
  return (items ?? []).filter((item): item is T => item !== null);
}
