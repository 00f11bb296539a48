/** Lambda: ESS deliveries of changes made in Concur (`POST /v1/concur/events`), queued to be applied. */
import { receiveConcurEvent } from '../../shared/change-notices/receiver';
import { concurEventIntake } from '../../shared/composition/change-notices';
import { idempotencyStore } from '../../shared/composition/dynamodb';
import { edgeGuard } from '../../shared/composition/edge';
import { gatewayLogger } from '../../shared/composition/logging';
import { httpFunction } from '../../shared/http/http-function';
import { changesRoutes } from '../../shared/http/routes/changes';

export const handler = httpFunction(
  changesRoutes,
  { receiveConcurEvent: async (request) => receiveConcurEvent(concurEventIntake(), request) },
  // No supplier key: ESS authenticates by its signature. Idempotency-Key works as on every POST.
  () => ({ logger: gatewayLogger(), edge: edgeGuard(), idempotencyStore: idempotencyStore() }),
);
