/**
 * What `cdk deploy` would ship, run on this machine: the real app synthesized (real esbuild bundling), each
 * function's bundle taken from the cloud assembly and run in a fresh Node process, as the Lambda runtime
 * would, with the environment the stack gives it.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { defineGatewayStage } from '../../infra/gateway';
import { stageNames } from '../../shared/stage';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const STAGE = 'bundles';
const runtimeScript = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

export interface BundledFunction {
  /** The function's logical id in the template. */
  logicalId: string;
  /** The bundle's directory in the cloud assembly, e.g. `<outdir>/asset.1a2b…`. */
  directory: string;
  /** The bundle file and export its Handler setting names (`index.handler` → index.mjs, `handler`). */
  file: string;
  exportName: string;
  /** The function's environment as the template declares it (values may be references). */
  environment: Record<string, unknown>;
  /** The HTTP API routes (`GET /health`) integrated with it. */
  routeKeys: string[];
}

/** The stage's resources this machine stands in for. */
export type StageResource =
  | 'state'
  | 'idempotency'
  | 'eventsQueue'
  | 'deliveriesQueue'
  | 'changeNoticesQueue'
  | 'apiUrl'
  | 'sandboxUrl';

export interface SynthesizedGateway {
  outdir: string;
  /** Every function of every stack of the stage. */
  functions: BundledFunction[];
  /** The stage's resource a template value (a name, a reference, an import) stands for, if it stands for one. */
  resourceOf(value: unknown): StageResource | undefined;
}

/**
 * Synthesizes a stage as `cdk deploy` would, into a fresh directory outside the repo, beside which only the
 * AWS SDK is installed (the Lambda runtime provides it): a bundle that needs anything else it does not carry
 * fails to load, as on AWS.
 */
export function synthesizeGateway(): SynthesizedGateway {
  const outdir = mkdtempSync(join(tmpdir(), 'cgw-bundles-'));
  mkdirSync(join(outdir, 'node_modules'));
  symlinkSync(join(repoRoot, 'node_modules', '@aws-sdk'), join(outdir, 'node_modules', '@aws-sdk'), 'dir');
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  defineGatewayStage(app, { stage: STAGE });
  const templates = app.synth().stacks.map((stack) => stack.template as Template);
  const resources = templates.flatMap((template) => Object.entries(template.Resources));
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);
  const exports = new Map(
    templates.flatMap((template) =>
      Object.values(template.Outputs ?? {}).flatMap((output) =>
        output.Export ? [[output.Export.Name, output.Value] as const] : [],
      ),
    ),
  );
  const known: { id: string; name: unknown; resource: StageResource }[] = [
    ...ofType('AWS::DynamoDB::GlobalTable').map(([id, table]) => ({
      id,
      name: table.Properties.TableName,
      resource: id.startsWith('StateTable') ? ('state' as const) : ('idempotency' as const),
    })),
    ...ofType('AWS::SQS::Queue')
      .filter(([id]) => id.startsWith('EventsQueue'))
      .map(([id, queue]) => ({ id, name: queue.Properties.QueueName, resource: 'eventsQueue' as const })),
    ...ofType('AWS::SQS::Queue')
      .filter(([id]) => id.startsWith('DeliveriesQueue'))
      .map(([id, queue]) => ({ id, name: queue.Properties.QueueName, resource: 'deliveriesQueue' as const })),
    ...ofType('AWS::SQS::Queue')
      .filter(([id]) => id.startsWith('ChangeNoticesQueue'))
      .map(([id, queue]) => ({
        id,
        name: queue.Properties.QueueName,
        resource: 'changeNoticesQueue' as const,
      })),
  ];
  const apiIds = ofType('AWS::ApiGatewayV2::Api').map(([id]) => id);
  const functionUrlIds = ofType('AWS::Lambda::Url').map(([id]) => id);
  const resourceOf = (value: unknown): StageResource | undefined => {
    if (typeof value === 'string') return known.find((k) => k.name === value)?.resource;
    const reference = value as { Ref?: string; 'Fn::ImportValue'?: string; 'Fn::GetAtt'?: string[] };
    const [resource, attribute] = reference['Fn::GetAtt'] ?? [];
    if (attribute === 'ApiEndpoint' && apiIds.includes(resource!)) return 'apiUrl';
    if (attribute === 'FunctionUrl' && functionUrlIds.includes(resource!)) return 'sandboxUrl';
    if (reference.Ref) return known.find((k) => k.id === reference.Ref)?.resource;
    const imported = reference['Fn::ImportValue'];
    return imported && exports.has(imported) ? resourceOf(exports.get(imported)) : undefined;
  };
  const integrations = ofType('AWS::ApiGatewayV2::Integration');
  const routeKeysOf = (functionId: string) =>
    ofType('AWS::ApiGatewayV2::Route')
      .filter(([, route]) => {
        const target = JSON.stringify(route.Properties.Target);
        const integration = integrations.find(([id]) => target.includes(`"${id}"`));
        return JSON.stringify(integration?.[1].Properties.IntegrationUri).includes(`"${functionId}"`);
      })
      .map(([, route]) => route.Properties.RouteKey as string);

  const functions = ofType('AWS::Lambda::Function').map(([logicalId, resource]): BundledFunction => {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${logicalId}: no bundled asset`);
    const handler = resource.Properties.Handler as string;
    const dot = handler.lastIndexOf('.');
    const environment = (resource.Properties.Environment as { Variables?: Record<string, unknown> })
      ?.Variables;
    return {
      logicalId,
      directory: join(outdir, assetPath),
      file: join(outdir, assetPath, `${handler.slice(0, dot)}.mjs`),
      exportName: handler.slice(dot + 1),
      environment: environment ?? {},
      routeKeys: routeKeysOf(logicalId),
    };
  });
  return { outdir, functions, resourceOf };
}

/**
 * The function's environment on this machine: the template's values, the stage's tables, queue and secret
 * prefix resolved to the local ones, and the local AWS endpoints and credentials. Any other reference is a
 * resource this machine does not stand in for yet: it is named, not guessed.
 */
export function localEnvironment(
  fn: BundledFunction,
  gateway: SynthesizedGateway,
  local: { resources: Record<StageResource, string>; secretPrefix: string; aws: Record<string, string> },
): Record<string, string> {
  const resolved = Object.entries(fn.environment).map(([name, value]) => {
    const resource = gateway.resourceOf(value);
    if (resource) return [name, local.resources[resource]];
    if (value === stageNames(STAGE).secretPrefix) return [name, local.secretPrefix];
    if (typeof value === 'string') return [name, value];
    throw new Error(`${fn.logicalId}: no local value for ${name} = ${JSON.stringify(value)}`);
  });
  return { PATH: process.env.PATH ?? '', ...local.aws, ...Object.fromEntries(resolved) };
}

export interface RunningBundle {
  /** `typeof` the export the Handler setting names, as the fresh process saw it. */
  handlerType: string;
  invoke(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2>;
  /** What the process wrote (its log lines). */
  output(): string;
  close(): Promise<void>;
}

type RuntimeMessage =
  | { type: 'ready'; handlerType: string }
  | { type: 'result'; id: number; result: APIGatewayProxyStructuredResultV2 }
  | { type: 'error'; id: number; error: string };

/** Imports the bundle in a fresh Node process (no loaders, no NODE_OPTIONS but the function's own). */
export function startBundle(fn: BundledFunction, env: Record<string, string>): Promise<RunningBundle> {
  const child: ChildProcess = fork(runtimeScript, [fn.file, fn.exportName], {
    cwd: fn.directory,
    env,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pending = new Map<
    number,
    { resolve: (r: APIGatewayProxyStructuredResultV2) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => {
      const error = new Error(`${fn.logicalId} exited (${code}):\n${output}`);
      reject(error);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    child.on('exit', exited);
    child.on('message', (message: RuntimeMessage) => {
      if (message.type === 'ready') {
        resolve({
          handlerType: message.handlerType,
          invoke: (event, context) =>
            new Promise((resolveInvoke, rejectInvoke) => {
              const id = nextId++;
              pending.set(id, { resolve: resolveInvoke, reject: rejectInvoke });
              const { functionName, awsRequestId, invokedFunctionArn, memoryLimitInMB } = context;
              child.send({
                type: 'invoke',
                id,
                event,
                context: {
                  functionName,
                  awsRequestId,
                  invokedFunctionArn,
                  memoryLimitInMB,
                  timeoutMs: context.getRemainingTimeInMillis(),
                },
              });
            }),
          output: () => output,
          close: async () => {
            child.off('exit', exited);
            if (child.exitCode !== null) return;
            const gone = new Promise((done) => child.once('exit', done));
            child.kill();
            await gone;
          },
        });
        return;
      }
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'result') waiting?.resolve(message.result);
      else waiting?.reject(new Error(`${fn.logicalId} failed: ${message.error}`));
    });
  });
}
