/** The `translate` and `parse` commands: the JSON form ⇄ Concur XML for suppliers being onboarded and scripts. */
import { ConcurDocumentError, documentProblem, parseConcurXml } from '../shared/concur';
import type { TranslationKind, ValidationProfile } from '../shared/concur';
import { GatewayError } from '../shared/gateway/errors';
import type { Supplier } from '../shared/gateway/ports';
import { translateBookingWrite, translateTripWrite } from '../shared/gateway/translation';
import { problemFor } from '../shared/http/problem-responses';
import { problemType } from '../shared/problem';
import { DynamoSupplierDirectory } from '../shared/suppliers';
import { failWith, readInput } from './io';
import { openTarget } from './operator/target';
import type { TargetOptions } from './operator/target';

export interface TranslateCommandOptions {
  /** The rules to check by; the supplier's own (with --supplier), else tmc. */
  profile?: ValidationProfile;
  compact?: boolean;
  /** The Concur BookingSource the write would carry. */
  bookingSource?: string;
  /** A registered supplier whose booking source and profile apply (read from --local or --stage). */
  supplier?: string;
  /** What the booking PUT names in its path. */
  confirmation?: string;
}

/**
 * The dry run of the API (`POST /v1/translate/…`) on this machine: the body of the booking PUT or the trip
 * create, the same defaults from the supplier (booking source, record locator, profile), the same refusals as
 * problem+json, and the XML that write would post.
 */
export async function translateCommand(
  kind: TranslationKind,
  file: string | undefined,
  options: TranslateCommandOptions & TargetOptions,
): Promise<void> {
  const source = await readInput(file);
  if (source === undefined) return;
  let body: unknown;
  try {
    body = JSON.parse(source);
  } catch (error) {
    return failWith({
      type: problemType('invalid-json'),
      title: 'The input is not JSON',
      status: 400,
      detail: (error as Error).message,
      errors: [{ path: '', message: (error as Error).message }],
    });
  }
  const supplier = await supplierOf(options);
  if (!supplier) return;
  const query = { ...(options.profile ? { profile: options.profile } : {}) };
  const format = { pretty: !options.compact };
  try {
    const xml =
      kind === 'booking'
        ? translateBookingWrite(
            supplier,
            { ...query, confirmationNumber: options.confirmation },
            body,
            format,
          )
        : translateTripWrite(supplier, query, body, format);
    process.stdout.write(`${xml}\n`);
  } catch (error) {
    if (!(error instanceof GatewayError || error instanceof ConcurDocumentError)) throw error;
    // The API's own answer, less the request id a command line has none of.
    const { requestId: _requestId, ...problem } = problemFor(error, '').problem;
    return failWith(problem);
  }
}

/** Whose write it is: the registered supplier named by --supplier, or --booking-source with --profile. */
async function supplierOf(options: TranslateCommandOptions & TargetOptions): Promise<Supplier | undefined> {
  const refuse = (detail: string, status = 400) => {
    failWith({ type: problemType('invalid-options'), title: 'The options cannot be used', status, detail });
    return undefined;
  };
  if ((options.supplier === undefined) === (options.bookingSource === undefined))
    return refuse(
      'give --booking-source NAME, or --supplier ID of a registered supplier (with --local or --stage)',
    );
  if (options.bookingSource !== undefined)
    return {
      id: 'cli',
      bookingSource: options.bookingSource,
      companies: [],
      profile: options.profile ?? 'tmc',
    };
  const target = await openTarget(options);
  try {
    const directory = new DynamoSupplierDirectory({
      client: target.dynamodb,
      tableName: target.tables.state,
    });
    const record = await directory.getSupplierRecord(options.supplier!);
    if (!record) return refuse(`no supplier ${options.supplier} in ${target.description}`, 404);
    const { id, bookingSource, companies, profile } = record;
    return { id, bookingSource, companies, profile };
  } finally {
    await target.close();
  }
}

export async function parseCommand(file: string | undefined, options: { compact?: boolean }): Promise<void> {
  const source = await readInput(file);
  if (source === undefined) return;
  try {
    const document = parseConcurXml(source);
    process.stdout.write(`${JSON.stringify(document, null, options.compact ? undefined : 2)}\n`);
  } catch (error) {
    if (error instanceof ConcurDocumentError) return failWith(documentProblem(error));
    throw error;
  }
}
