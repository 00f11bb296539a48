/**
 * `npm start`: the whole gateway on this machine. Environment:
 *   PORT (3000), HOST (127.0.0.1), DATA_DIR (.gateway-data), SIMULATOR_PORT (4010),
 *   CONCUR_BASE_URL (the simulator then serves only the test keys' sandbox companies; with CONCUR_ACCESS_TOKEN, CONCUR_REFRESH_TOKEN, CONCUR_CLIENT_ID,
 *   CONCUR_CLIENT_SECRET for the demo company), LOCAL_SEED (a JSON file of suppliers and companies),
 *   CHANGE_POLL_INTERVAL (10m; how often the companies set to `--change-notices poll` are polled).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_COMPANY_ID } from '../simulator';
import { isSandboxCompany } from '../../shared/sandbox';
import { pollIntervalFromEnv } from '../../shared/change-polling/interval';
import { localSeedSchema, startLocalGateway } from './local-gateway';
import type { LocalGateway, LocalSeed } from './local-gateway';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const env = process.env;

/** A start-up failure as one line that names its cause, never a stack trace. */
function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

async function readSeed(file: string): Promise<LocalSeed> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    fail(`LOCAL_SEED ${file} cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`LOCAL_SEED ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = localSeedSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    fail(`LOCAL_SEED ${file} is not valid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

const seed = env.LOCAL_SEED ? await readSeed(env.LOCAL_SEED) : undefined;
const port = Number(env.PORT ?? 3000);
const dataDir = resolve(env.DATA_DIR ?? '.gateway-data');
// npm start is what makes a data folder (the command line refuses one that does not exist): it says so.
const dataDirIsNew = !existsSync(dataDir);

let changePollIntervalMs: number;
try {
  // Concur's polling rule holds against Concur; the simulator the companies are served by otherwise allows less.
  changePollIntervalMs = pollIntervalFromEnv(env.CHANGE_POLL_INTERVAL, env.CONCUR_BASE_URL ? undefined : 1);
} catch (error) {
  fail((error as Error).message);
}

let gateway: LocalGateway;
try {
  gateway = await startLocalGateway({
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir,
    concurBaseUrl: env.CONCUR_BASE_URL || undefined,
    // The default simulator port is a preference: a second instance takes a free one.
    simulatorPort: Number(env.SIMULATOR_PORT ?? 4010),
    simulatorPortIsPreference: env.SIMULATOR_PORT === undefined,
    trustForwardedHeaders: env.TRUST_FORWARDED_HEADERS === 'true',
    seed,
    // The companies the simulator serves tell their changes through ESS, as a subscribed Concur company does.
    concurEvents: true,
    // Companies set to `poll` (the default of a company the simulator does not serve) are polled.
    changePollIntervalMs,
    events: {
      ...(env.EVENT_ATTEMPT_TIMEOUT_SECONDS
        ? { attemptTimeoutSeconds: Number(env.EVENT_ATTEMPT_TIMEOUT_SECONDS) }
        : {}),
      ...(env.EVENT_SWEEP_AFTER_SECONDS ? { sweepAfterSeconds: Number(env.EVENT_SWEEP_AFTER_SECONDS) } : {}),
      ...(env.EVENT_SWEEP_INTERVAL_SECONDS
        ? { sweepIntervalSeconds: Number(env.EVENT_SWEEP_INTERVAL_SECONDS) }
        : {}),
    },
    ...(env.KEEP_ALIVE_INTERVAL_SECONDS
      ? { keepAliveIntervalSeconds: Number(env.KEEP_ALIVE_INTERVAL_SECONDS) }
      : {}),
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
} catch (error) {
  fail(startFailure(error));
}

/** What to tell about a failed start: a port in use, else the error's own message. */
function startFailure(error: unknown): string {
  const { code, port: taken, message } = error as NodeJS.ErrnoException & { port?: number };
  if (code === 'EADDRINUSE') {
    return taken === port
      ? `port ${port} is in use (another npm start?); set PORT to another port`
      : `port ${taken ?? ''} is in use; set SIMULATOR_PORT to another port`;
  }
  return message ?? String(error);
}

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
console.log(`  Console:        ${gateway.url}/console (sign in with the API key below)`);
console.log(`  data:           ${dataDir}${dataDirIsNew ? ' (a new folder, made now)' : ''}`);
if (!seed) {
  console.log(`  Concur:         ${env.CONCUR_BASE_URL || `simulator at ${gateway.simulator!.url}`}`);
}
if (gateway.demoApiKey) {
  console.log(`  demo supplier:  DemoSupplier, company ${DEFAULT_COMPANY_ID}`);
  console.log(`  API key:        ${gateway.demoApiKey}`);
  console.log(
    `  test key:       ${gateway.demoTestApiKey} (test mode: company sandbox-demo-supplier at the simulator ${gateway.simulator!.url})`,
  );
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
} else if (seed) {
  console.log(`  suppliers and companies from ${env.LOCAL_SEED}:`);
  for (const supplier of seed.suppliers) {
    console.log(`  supplier ${supplier.id} (${supplier.bookingSource}) for ${supplier.companies.join(', ')}`);
  }
  for (const company of seed.companies) {
    const concur = company.concur
      ? `Concur at ${company.concur.baseUrl}`
      : `simulator at ${gateway.simulator!.url}`;
    console.log(`  company ${company.id}: ${concur}`);
  }
  if (gateway.simulator) {
    const sandboxes = gateway.simulator.companies.map((c) => c.id).filter(isSandboxCompany);
    console.log(`  test keys:      simulator at ${gateway.simulator.url} (${sandboxes.join(', ')})`);
  }
}
for (const { appId, companyId } of gateway.keptConnections) {
  console.log(
    `  company ${companyId}, app ${appId}: the connection stored by companies connect is kept (change its seed entry to replace it)`,
  );
}

const stop = async () => {
  await gateway.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
