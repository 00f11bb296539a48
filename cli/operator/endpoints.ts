/**
 * `concur-gateway suppliers endpoints …`: every supplier's webhook endpoints, and the operator's switch. An
 * endpoint the operator disables stays disabled until the operator enables it (the supplier cannot); one the
 * gateway disabled after 5 days of failures shows `disabled (failing)`.
 */
import type { Command } from 'commander';
import { DynamoWebhookEndpoints } from '../../shared/webhooks-out/endpoints';
import type { WebhookEndpoint } from '../../shared/webhooks-out/endpoints';
import { emit, OperatorError, table } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

const endpointsOf = (target: Target) =>
  new DynamoWebhookEndpoints({ client: target.dynamodb, tableName: target.tables.state });

/** The endpoint with this id, whoever's it is. */
async function findEndpoint(target: Target, id: string): Promise<WebhookEndpoint> {
  const endpoint = (await endpointsOf(target).listAll()).find((candidate) => candidate.id === id);
  if (!endpoint) throw new OperatorError(`no webhook endpoint ${id}`);
  return endpoint;
}

const stateOf = (endpoint: WebhookEndpoint) =>
  endpoint.status === 'enabled' ? 'enabled' : `disabled (${endpoint.disabledBy ?? 'operator'})`;

export function registerEndpointCommands(suppliers: Command, operator: OperatorCommand): void {
  const endpoints = suppliers
    .command('endpoints')
    .description('the suppliers’ webhook endpoints: list them, disable or enable one');

  operator(
    endpoints
      .command('list')
      .description('every supplier’s webhook endpoints (a table scan), never their secrets')
      .option('--supplier <id>', 'only this supplier’s')
      .option('--disabled', 'only the disabled ones'),
    async (target, options) => {
      const store = endpointsOf(target);
      const supplierId = options.supplier as string | undefined;
      let list = supplierId ? await store.listOf(supplierId) : await store.listAll();
      if (options.disabled) list = list.filter((endpoint) => endpoint.status === 'disabled');
      emit(options, { endpoints: list }, ({ endpoints: rows }) =>
        rows.length === 0
          ? ['No webhook endpoints.']
          : table(
              ['ID', 'SUPPLIER', 'URL', 'EVENTS', 'STATE', 'FAILING SINCE'],
              rows.map((endpoint: WebhookEndpoint) => [
                endpoint.id,
                endpoint.supplierId,
                endpoint.url,
                endpoint.eventTypes.length === 0 ? 'all' : endpoint.eventTypes.join(','),
                stateOf(endpoint),
                endpoint.failingSince ?? '',
              ]),
            ),
      );
    },
  );

  operator(
    endpoints
      .command('disable')
      .description(
        'stop sending to an endpoint; its pending messages fail (the supplier can recover them later)',
      )
      .argument('<endpointId>', 'the endpoint id (ep_…)'),
    async (target, options, id) => {
      const endpoint = await findEndpoint(target, id);
      const disabled = await endpointsOf(target).disable(endpoint.supplierId, id, 'operator');
      emit(options, { endpoint: disabled }, () => [
        `Webhook endpoint ${id} of ${endpoint.supplierId} disabled: nothing is sent to it until it is enabled.`,
      ]);
    },
  );

  operator(
    endpoints
      .command('enable')
      .description(
        'send to an endpoint again (after the operator, the supplier or 5 days of failures disabled it)',
      )
      .argument('<endpointId>', 'the endpoint id (ep_…)'),
    async (target, options, id) => {
      const endpoint = await findEndpoint(target, id);
      const enabled = await endpointsOf(target).enable(endpoint.supplierId, id);
      emit(options, { endpoint: enabled }, () => [
        `Webhook endpoint ${id} of ${endpoint.supplierId} enabled. Messages that failed meanwhile are sent again when the supplier recovers them (POST …/recover).`,
      ]);
    },
  );
}
