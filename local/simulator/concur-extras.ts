/**
 * Elements Concur's real itineraries carry that its public XSD lacks (the TMC itinerary guide's example shows
 * them): the simulator adds them to every itinerary it answers, so that a client which reads answers strictly
 * fails against the simulator as it would against Concur. Requests are still read strictly.
 */

const TRIP_START = ['<ExternalLinks />', '<FormsOfId />'].join('');
const TRIP_FLAGS = [
  '<IsDemoTrip>false</IsDemoTrip>',
  '<ReminderEmailSent>false</ReminderEmailSent>',
  '<IsBillable>false</IsBillable>',
].join('');
const BOOKING_FLAGS = '<IsCliqbookSystemOfRecord>false</IsCliqbookSystemOfRecord>';
const SEGMENT_EXTRAS = '<ParseErrors /><PerDiemLocation />';
const SEGMENT_END = /<\/(Air|Car|Hotel|Rail|Ride|Dining|Parking|Event)>/g;

/** The itinerary XML with Concur's extra elements at the trip, booking and segment levels. */
export function withConcurExtras(xml: string): string {
  const opening = /<Itinerary\b[^>]*>/.exec(xml);
  if (!opening) return xml;
  const start = opening.index + opening[0].length;
  const body = xml
    .slice(start)
    .replace(SEGMENT_END, (end) => `${SEGMENT_EXTRAS}${end}`)
    .replace(/<\/Booking>/g, `${BOOKING_FLAGS}</Booking>`);
  const withFlags = body.includes('<Bookings')
    ? body.replace(/<Bookings\b/, `${TRIP_FLAGS}<Bookings`)
    : body.replace('</Itinerary>', `${TRIP_FLAGS}</Itinerary>`);
  return `${xml.slice(0, start)}${TRIP_START}${withFlags}`;
}
