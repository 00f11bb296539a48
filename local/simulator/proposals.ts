/**
 * Agency proposals (seed 003): a trip posted with TripStatus 6 (Proposal) or 7 (Booked Proposal) must carry
 * ClientLocator (the batch), TravelRequestId and CustomAttributes describing its place in the batch.
 *
 * The seed's table calls AutoSelectProposal and TicketIssued required, but its own request example sends only
 * ProposalBatchSize and ProposalSequenceIndex; the simulator requires those two and checks the others when sent.
 */
import type { Itinerary } from '../../shared/concur';

export const PROPOSAL_TRIP_STATUSES: readonly number[] = [6, 7];

type CustomAttribute = NonNullable<NonNullable<Itinerary['customAttributes']>[number]>;

export function isProposal(itinerary: Itinerary): boolean {
  const status = itinerary.tripStatus;
  const numeric = typeof status === 'string' && /^\s*\d+\s*$/.test(status) ? Number(status) : status;
  return typeof numeric === 'number' && PROPOSAL_TRIP_STATUSES.includes(numeric);
}

const isBlank = (value: unknown): boolean =>
  value === undefined || value === null || String(value).trim() === '';

/** Problems of an agency proposal; empty when the trip is not a proposal or is a valid one. */
export function proposalProblems(itinerary: Itinerary): string[] {
  if (!isProposal(itinerary)) return [];
  const problems: string[] = [];
  const status = String(itinerary.tripStatus).trim();
  if (isBlank(itinerary.clientLocator))
    problems.push(`an agency proposal (TripStatus ${status}) needs ClientLocator`);
  if (isBlank(itinerary.travelRequestId)) {
    problems.push(`an agency proposal (TripStatus ${status}) needs TravelRequestId`);
  }
  const attributes = (itinerary.customAttributes ?? []).filter((a): a is CustomAttribute => a !== null);
  if (attributes.length === 0) {
    problems.push(`an agency proposal (TripStatus ${status}) needs CustomAttributes`);
    return problems;
  }
  const byName = (name: string) => attributes.find((a) => a.name?.toLowerCase() === name.toLowerCase());

  const batchSize = byName('ProposalBatchSize');
  const size = integerData(batchSize);
  if (!batchSize) problems.push('CustomAttributes need ProposalBatchSize');
  else if (size === undefined || size < 1 || size > 3) problems.push('ProposalBatchSize must be 1 to 3');

  const sequence = byName('ProposalSequenceIndex');
  const index = integerData(sequence);
  if (!sequence) problems.push('CustomAttributes need ProposalSequenceIndex');
  else if (index === undefined || index < 1 || index > (size ?? 3)) {
    problems.push(`ProposalSequenceIndex must be 1 to ${size ?? 3}`);
  }

  for (const name of ['AutoSelectProposal', 'TicketIssued']) {
    const attribute = byName(name);
    if (attribute && !/^(true|false)$/i.test(String(attribute.data ?? '').trim())) {
      problems.push(`${name} must be True or False`);
    }
  }
  for (const name of ['ProposalBatchSize', 'ProposalSequenceIndex', 'AutoSelectProposal', 'TicketIssued']) {
    const attribute = byName(name);
    if (!attribute) continue;
    if (attribute.displayOnItinerary !== true) problems.push(`${name}: DisplayOnItinerary must be true`);
    if (!isBlank(attribute.displayTitle)) problems.push(`${name}: DisplayTitle must be empty`);
    if (!isBlank(attribute.externalId)) problems.push(`${name}: ExternalId must be empty`);
  }
  return problems;
}

function integerData(attribute: CustomAttribute | undefined): number | undefined {
  const text = String(attribute?.data ?? '').trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
