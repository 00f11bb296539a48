/**
 * Lambda: the events queue's consumer (SQS event source with ReportBatchItemFailures). Powertools batch runs
 * the records of a batch in parallel and reports the ones to receive again; their delay is already set.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { eventServices } from '../../shared/composition/events';

const processor = new BatchProcessor(EventType.SQS);

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const events = eventServices();
  return processPartialResponse(event, (record: SQSRecord) => events.processor.process(record), processor, {
    context,
    processInParallel: true,
    // A batch whose every record waits for a retry is not an error of the function.
    throwOnFullBatchFailure: false,
  });
};
