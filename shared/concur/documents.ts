/**
 * Friendly names for the generated JSON-form types that the rest of the gateway handles most.
 */
import type {
  Booking,
  BookingRecord_ArrayOfChargesItem,
  BookingRecord_ArrayOfSegmentsItem,
  ConnectResponse,
  Error as ConcurErrorBody,
  Itinerary,
  ItineraryInfoList_ItineraryInfo,
  Passenger,
  TripItResponse,
} from './types.generated';

export type { Booking, ConnectResponse, ConcurErrorBody, Itinerary, Passenger, TripItResponse };
/** A booking's segment in the JSON form: `{ kind: 'car' | 'hotel' | …, …fields }`. */
export type Segment = BookingRecord_ArrayOfSegmentsItem;
export type SegmentKind = Segment['kind'];
export type Charge = BookingRecord_ArrayOfChargesItem;
/** One trip summary of a trip list. */
export type ItineraryInfo = ItineraryInfoList_ItineraryInfo;

/** The JSON form of each document Concur answers with, keyed by its root. */
export type ConcurDocument =
  | { itinerary: Itinerary }
  | { booking: Booking }
  | { itineraryInfoList: (ItineraryInfo | null)[] }
  | { connectResponse: ConnectResponse }
  | { response: TripItResponse }
  | { error: ConcurErrorBody }
  | { message: string }
  | { status: string };
