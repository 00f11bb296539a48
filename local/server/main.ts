/**
 * `npm start`: the whole gateway on this machine. Environment:
 *   PORT (3000), HOST (127.0.0.1), DATA_DIR (.gateway-data), SIMULATOR_PORT (4010),
 *   CONCUR_BASE_URL (no simulator then; with CONCUR_ACCESS_TOKEN, CONCUR_REFRESH_TOKEN, CONCUR_CLIENT_ID,
 *   CONCUR_CLIENT_SECRET for the demo company), LOCAL_SEED (a JSON file of suppliers and companies).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_COMPANY_ID } from '../simulator';
import { localSeedSchema, startLocalGateway } from './local-gateway';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const env = process.env;
const seed = env.LOCAL_SEED
  ? localSeedSchema.parse(JSON.parse(await readFile(env.LOCAL_SEED, 'utf8')))
  : undefined;

const gateway = await startLocalGateway({
  port: Number(env.PORT ?? 3000),
  host: env.HOST ?? '127.0.0.1',
  dataDir: resolve(env.DATA_DIR ?? '.gateway-data'),
  concurBaseUrl: env.CONCUR_BASE_URL || undefined,
  simulatorPort: Number(env.SIMULATOR_PORT ?? 4010),
  trustForwardedHeaders: env.TRUST_FORWARDED_HEADERS === 'true',
  seed,
  ...(env.CONCUR_ACCESS_TOKEN
    ? {
        demoConcur: {
          accessToken: env.CONCUR_ACCESS_TOKEN,
          refreshToken: env.CONCUR_REFRESH_TOKEN,
          clientId: env.CONCUR_CLIENT_ID,
          clientSecret: env.CONCUR_CLIENT_SECRET,
        },
      }
    : {}),
});

const example = {
  booking: {
    segments: [
      {
        kind: 'car',
        vendor: 'ZE',
        confirmationNumber: 'F16726AIUS',
        startDateLocal: '2027-03-21T12:00:00',
        endDateLocal: '2027-03-23T12:00:00',
        startCityCode: 'SEA',
        endCityCode: 'SEA',
      },
    ],
    passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
  },
  traveler: { loginId: 'cm@example.com' },
};

console.log(`concur-itinerary-gateway listening on ${gateway.url}`);
console.log(`  API reference:  ${gateway.url}/docs`);
console.log(
  `  Concur:         ${gateway.simulator ? `simulator at ${gateway.simulator.url}` : env.CONCUR_BASE_URL}`,
);
if (gateway.demoApiKey) {
  console.log(`  demo supplier:  DemoSupplier, company ${DEFAULT_COMPANY_ID}`);
  console.log(`  API key:        ${gateway.demoApiKey}`);
  console.log(
    `  webhook secret: ${gateway.demoWebhookSecret} (POST ${gateway.url}/v1/webhooks/demo-supplier)\n`,
  );
  console.log('Create a booking:');
  console.log(
    `curl -s -X PUT ${gateway.url}/v1/companies/${DEFAULT_COMPANY_ID}/bookings/F16726AIUS \\\n` +
      `  -H 'Authorization: Bearer ${gateway.demoApiKey}' -H 'Content-Type: application/json' \\\n` +
      `  -d '${JSON.stringify(example)}'`,
  );
  console.log('\nThen list the trips:');
  console.log(
    `curl -s ${gateway.url}/v1/companies/${DEFAULT_COMPANY_ID}/trips -H 'Authorization: Bearer ${gateway.demoApiKey}'`,
  );
} else {
  console.log(`  suppliers and companies from ${env.LOCAL_SEED}`);
}

const stop = async () => {
  await gateway.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
