/**
 * Lambda: the change notices queue's consumer (SQS event source with ReportBatchItemFailures). Applies each
 * itinerary event; one whose booking is being changed right now is retried a few seconds later.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BookingBusyError } from '../../shared/change-notices/applier';
import type { ChangeNotice } from '../../shared/change-notices/ports';
import { changeApplier, changeNoticesQueue } from '../../shared/composition/change-notices';
import { gatewayLogger, gatewayMetrics } from '../../shared/composition/logging';
import { GATEWAY_METRICS } from '../../shared/observability/metric-names';

/** Seconds before an event that met a booking's change in progress is tried again. */
const BUSY_RETRY_SECONDS = 5;

async function applyRecord(record: SQSRecord): Promise<void> {
  const notice = JSON.parse(record.body) as ChangeNotice;
  try {
    const { announced, duplicate } = await changeApplier().apply(notice);
    if (announced.length > 0)
      gatewayMetrics().count(GATEWAY_METRICS.concurChangesAnnounced, announced.length);
    gatewayLogger().info('itinerary event applied', {
      eventId: notice.eventId,
      companyId: notice.companyId,
      kind: notice.kind,
      announced: announced.length,
      ...(duplicate ? { duplicate } : {}),
    });
  } catch (error) {
    if (error instanceof BookingBusyError) {
      await changeNoticesQueue().retryLater(record.receiptHandle, BUSY_RETRY_SECONDS);
    }
    throw error;
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, applyRecord, processor, {
    context,
    processInParallel: true,
    throwOnFullBatchFailure: false,
  });
};
