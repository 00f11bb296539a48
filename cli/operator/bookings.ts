/** `concur-gateway bookings find`: a booking's mapping to Concur, by company and confirmation number. */
import type { Command } from 'commander';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb';
import type { BookingMapping } from '../../shared/gateway/ports';
import { DynamoSupplierDirectory } from '../../shared/suppliers';
import type { SupplierRecord } from '../../shared/suppliers';
import { emit, OperatorError } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

/** The suppliers whose bookings of the company a command looks at: the one named, or all that may post to it. */
export async function suppliersOfCompany(
  target: Target,
  companyId: string,
  supplierId: string | undefined,
): Promise<SupplierRecord[]> {
  const directory = new DynamoSupplierDirectory({ client: target.dynamodb, tableName: target.tables.state });
  if (supplierId !== undefined) {
    const supplier = await directory.getSupplierRecord(supplierId);
    if (!supplier) throw new OperatorError(`no supplier ${supplierId}`);
    return [supplier];
  }
  return (await directory.listSuppliers()).filter((supplier) => supplier.companies.includes(companyId));
}

export function registerBookingCommands(program: Command, operator: OperatorCommand): void {
  const bookings = program.command('bookings').description('the gateway’s booking mappings');
  operator(
    bookings
      .command('find')
      .description('a booking’s mapping: Concur record locator, trip, status (of each supplier that has one)')
      .requiredOption('--company <id>', 'the company')
      .requiredOption('--confirmation <number>', 'the supplier’s confirmation number')
      .option('--supplier <id>', 'only this supplier’s booking'),
    async (target, options) => {
      const companyId = options.company as string;
      const confirmationNumber = options.confirmation as string;
      const mappings = new DynamoBookingMappings({ client: target.dynamodb, tableName: target.tables.state });
      const found: (BookingMapping & { supplierId: string })[] = [];
      for (const supplier of await suppliersOfCompany(
        target,
        companyId,
        options.supplier as string | undefined,
      )) {
        const mapping = await mappings.get({
          companyId,
          bookingSource: supplier.bookingSource,
          confirmationNumber,
        });
        if (mapping) found.push({ supplierId: supplier.id, ...mapping });
      }
      if (found.length === 0) {
        throw new OperatorError(`no booking ${confirmationNumber} of company ${companyId}`);
      }
      emit(options, { bookings: found }, ({ bookings: rows }) =>
        rows.flatMap((m) => [
          `${m.supplierId} (${m.bookingSource}) ${m.confirmationNumber}: ${m.status}, record locator ${m.recordLocator}, trip ${m.tripId ?? '-'}, traveler ${m.travelerLoginId}, updated ${m.updatedAt}${m.pendingStep ? `, pending ${m.pendingStep}` : ''}`,
        ]),
      );
    },
  );
}
