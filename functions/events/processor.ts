/**
 * Lambda: the events queue's consumer (SQS event source with ReportBatchItemFailures). Powertools batch runs
 * the records of a batch in parallel and reports the ones to receive again; their delay is already set.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { eventServices } from '../../shared/composition/events';

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const events = eventServices();
  // A processor per batch: it keeps the batch's failures, and batches may run at once in one process (the
  // local default's queue workers). A shared one answers a failure in another batch's response, and the
  // failed message is then deleted as done.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, (record: SQSRecord) => events.processor.process(record), processor, {
    context,
    processInParallel: true,
    // A batch whose every record waits for a retry is not an error of the function.
    throwOnFullBatchFailure: false,
  });
};
