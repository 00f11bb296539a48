/** Lambda: dry runs that validate a booking or trip and answer the Concur XML that would be sent. */
import { VALIDATION_PROFILES, translateToConcurXml } from '../../shared/concur';
import type { TranslationKind, ValidationProfile } from '../../shared/concur';
import { GatewayError } from '../../shared/gateway/errors';
import { httpFunction } from '../../shared/http/http-function';
import type { RouteHandler } from '../../shared/http/http-function';
import { supplierRouteDependencies } from '../../shared/composition/dynamodb';

function profileOf(requested: string | undefined, fallback: ValidationProfile): ValidationProfile {
  if (requested === undefined) return fallback;
  if ((VALIDATION_PROFILES as readonly string[]).includes(requested)) return requested as ValidationProfile;
  throw new GatewayError('validation', 'unknown profile', [
    { path: 'profile', message: `must be one of ${VALIDATION_PROFILES.join(', ')}` },
  ]);
}

const translate =
  (kind: TranslationKind): RouteHandler =>
  async ({ supplier, query, body }) => {
    const profile = profileOf(query.profile, supplier!.profile);
    return { status: 200, body: { xml: translateToConcurXml(kind, body, { profile }) } };
  };

export const handler = httpFunction(
  'translate',
  { translateBooking: translate('booking'), translateTrip: translate('trip') },
  supplierRouteDependencies,
);
