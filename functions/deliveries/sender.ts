/**
 * Lambda: the deliveries queue's consumer (SQS event source with ReportBatchItemFailures). Sends each queued
 * webhook to its supplier's endpoint; a record reported failed waits for its next attempt (its delay is set).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliveryWorker } from '../../shared/composition/webhooks-out';

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const worker = deliveryWorker();
  // A processor per batch: batches may run at once in one process (the local default's queue workers).
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, (record: SQSRecord) => worker.process(record), processor, {
    context,
    processInParallel: true,
    throwOnFullBatchFailure: false,
  });
};
