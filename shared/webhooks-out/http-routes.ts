/**
 * The supplier's own webhook endpoints, with its API key: create (the secret shown once), list, read, change,
 * delete, rotate the secret, send a test ping, read the attempts, recover failed messages. Another supplier's
 * endpoint is as absent as one that never existed.
 */
import { SecretAlreadyExistsError } from '../adapters/secrets/secret-store';
import type { WebhookSecrets } from '../events/webhooks';
import { generateWebhookSecret } from '../events/webhooks';
import { GatewayError, validated } from '../gateway/errors';
import type { HttpAnswer, RouteRequest } from '../http/http-function';
import {
  createEndpointRequestSchema,
  DEFAULT_GRACE_SECONDS,
  deliveriesQuerySchema,
  MAX_ENDPOINTS_PER_SUPPLIER,
  recoverRequestSchema,
  rotateSecretRequestSchema,
  updateEndpointRequestSchema,
} from './api-contract';
import { endpointSecretKey } from './delivery';
import type { DynamoWebhookEndpoints, WebhookEndpoint } from './endpoints';
import { ENDPOINT_ID_PATTERN, newEndpointId } from './endpoints';
import type { SupplierEventType } from './event-types';
import type { DynamoWebhookMessages } from './messages';
import type { WebhookPublisher } from './publisher';
import { isAttemptCursor } from './messages';
import { checkEndpointUrl, UrlRefusedError } from './url-rules';
import type { UrlPolicy } from './url-rules';

export interface WebhookEndpointServices {
  endpoints: DynamoWebhookEndpoints;
  messages: DynamoWebhookMessages;
  secrets: WebhookSecrets;
  publisher: WebhookPublisher;
  urlPolicy: UrlPolicy;
}

/** How an endpoint is shown: never its secret (that only at creation and rotation). */
export function endpointView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    ...(endpoint.description !== undefined ? { description: endpoint.description } : {}),
    status: endpoint.status,
    ...(endpoint.disabledBy ? { disabledBy: endpoint.disabledBy } : {}),
    ...(endpoint.disabledAt ? { disabledAt: endpoint.disabledAt } : {}),
    ...(endpoint.failingSince ? { failingSince: endpoint.failingSince } : {}),
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

function checkedUrl(url: string, policy: UrlPolicy): string {
  try {
    return checkEndpointUrl(url, policy).href;
  } catch (error) {
    if (!(error instanceof UrlRefusedError)) throw error;
    throw new GatewayError('validation', 'the endpoint URL is not allowed', [
      { path: 'url', message: error.message },
    ]);
  }
}

/** The supplier's endpoint named in the path, or 404. */
async function ownEndpoint(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<WebhookEndpoint> {
  const id = request.pathParameters.endpointId ?? '';
  const endpoint = ENDPOINT_ID_PATTERN.test(id)
    ? await services.endpoints.get(request.supplier!.id, id)
    : undefined;
  if (!endpoint) throw new GatewayError('not-found', `no webhook endpoint ${id.slice(0, 64)}`);
  return endpoint;
}

export async function createEndpoint(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const supplierId = request.supplier!.id;
  const body = validated(createEndpointRequestSchema, request.body, 'the webhook endpoint');
  const url = checkedUrl(body.url, services.urlPolicy);
  if ((await services.endpoints.listOf(supplierId)).length >= MAX_ENDPOINTS_PER_SUPPLIER)
    throw new GatewayError(
      'conflict',
      `a supplier has at most ${MAX_ENDPOINTS_PER_SUPPLIER} webhook endpoints`,
    );
  const id = newEndpointId();
  const secret = generateWebhookSecret();
  // The secret first: an endpoint never exists without one to sign with.
  try {
    await services.secrets.write(endpointSecretKey(supplierId, id), [secret]);
  } catch (error) {
    if (!(error instanceof SecretAlreadyExistsError)) throw error;
    throw new GatewayError('conflict', 'try again: the new endpoint id was taken');
  }
  const endpoint = await services.endpoints.create({
    id,
    supplierId,
    url,
    eventTypes: (body.eventTypes ?? []) as SupplierEventType[],
    ...(body.description !== undefined ? { description: body.description } : {}),
  });
  return {
    status: 201,
    headers: { location: `${request.origin}/v1/webhook-endpoints/${id}` },
    body: { endpoint: { ...endpointView(endpoint), secret } },
  };
}

export async function listEndpoints(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoints = await services.endpoints.listOf(request.supplier!.id);
  return { status: 200, body: { endpoints: endpoints.map(endpointView) } };
}

export async function getEndpoint(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  return { status: 200, body: { endpoint: endpointView(await ownEndpoint(services, request)) } };
}

export async function updateEndpoint(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoint = await ownEndpoint(services, request);
  const body = validated(updateEndpointRequestSchema, request.body, 'the change');
  const supplierId = endpoint.supplierId;
  if (body.status === 'enabled' && endpoint.status === 'disabled' && endpoint.disabledBy === 'operator')
    throw new GatewayError(
      'conflict',
      'the gateway’s operator disabled this endpoint; ask them to enable it',
    );
  let changed: WebhookEndpoint | undefined = endpoint;
  const { status, ...fields } = body;
  if (Object.keys(fields).length > 0) {
    changed = await services.endpoints.change(supplierId, endpoint.id, {
      ...(fields.url !== undefined ? { url: checkedUrl(fields.url, services.urlPolicy) } : {}),
      ...(fields.eventTypes !== undefined ? { eventTypes: fields.eventTypes as SupplierEventType[] } : {}),
      ...(fields.description !== undefined ? { description: fields.description } : {}),
    });
  }
  if (changed && status === 'enabled' && changed.status === 'disabled')
    changed = await services.endpoints.enable(supplierId, endpoint.id);
  if (changed && status === 'disabled' && changed.status === 'enabled')
    changed = await services.endpoints.disable(supplierId, endpoint.id, 'supplier');
  if (!changed) throw new GatewayError('not-found', `no webhook endpoint ${endpoint.id}`);
  return { status: 200, body: { endpoint: endpointView(changed) } };
}

export async function deleteEndpoint(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoint = await ownEndpoint(services, request);
  await services.endpoints.delete(endpoint.supplierId, endpoint.id);
  await services.secrets.delete(endpointSecretKey(endpoint.supplierId, endpoint.id));
  return { status: 204 };
}

export async function rotateEndpointSecret(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoint = await ownEndpoint(services, request);
  const body = validated(rotateSecretRequestSchema, request.body ?? {}, 'the rotation');
  const graceSeconds = body.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const { secret } = await services.secrets.rotate(
    endpointSecretKey(endpoint.supplierId, endpoint.id),
    graceSeconds * 1000,
  );
  return { status: 200, body: { endpoint: { ...endpointView(endpoint), secret } } };
}

export async function testEndpoint(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoint = await ownEndpoint(services, request);
  if (endpoint.status !== 'enabled')
    throw new GatewayError('conflict', 'the endpoint is disabled: enable it before testing it');
  const { messageId } = await services.publisher.publishTo(endpoint, {
    type: 'ping',
    data: { endpointId: endpoint.id },
  });
  return { status: 202, body: { message: { id: messageId, type: 'ping' } } };
}

export async function listDeliveries(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoint = await ownEndpoint(services, request);
  const query = validated(deliveriesQuerySchema, request.query, 'the query');
  if (query.cursor !== undefined && !isAttemptCursor(query.cursor))
    throw new GatewayError('validation', 'the query is not valid', [
      { path: 'cursor', message: 'is not a cursor this listing gave' },
    ]);
  const page = await services.messages.attemptsOf(endpoint.id, {
    limit: query.limit ?? 50,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
  return {
    status: 200,
    body: { deliveries: page.attempts, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) },
  };
}

export async function recoverMessages(
  services: WebhookEndpointServices,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const endpoint = await ownEndpoint(services, request);
  const body = validated(recoverRequestSchema, request.body, 'the recovery');
  if (endpoint.status !== 'enabled')
    throw new GatewayError('conflict', 'the endpoint is disabled: enable it before recovering its messages');
  const reopened = await services.messages.reopenFailedSince(endpoint.id, new Date(body.since));
  for (const message of reopened) await services.publisher.queue(message);
  return { status: 202, body: { recovered: reopened.length } };
}
