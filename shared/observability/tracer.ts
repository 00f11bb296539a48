/**
 * The functions' X-Ray tracing through Powertools Tracer: one tracer per container, the handler middleware
 * (cold start annotation, errors as metadata) and the AWS SDK clients it captures; Concur calls (fetch) are
 * captured by the tracer itself. It is active only inside Lambda (AWS_EXECUTION_ENV set) and unless
 * POWERTOOLS_TRACE_ENABLED=false: locally and in tests it does nothing and needs no X-Ray daemon.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'concur-gateway' });

/**
 * The handler middleware. Answers are not recorded: they hold travelers' bookings, and traces are read by more
 * people than the data is meant for.
 */
export const tracedHandler = () => captureLambdaHandler(tracer, { captureResponse: false });

/** The client, its calls recorded as subsegments when tracing is active (unchanged otherwise). */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
