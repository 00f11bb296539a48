/**
 * AWS WAF in front of the API (`-c waf=true`): the web ACL in us-east-1 with the managed rules and the IP rate
 * rule, the CloudFront distribution in front of the HTTP API with that web ACL, the origin-verify secret that
 * CloudFront sends and the functions check, and nothing of it without the flag. Stages are synthesized from `-c`
 * context with a tiny fixture handler and cdk-nag's rules, as in infra/app.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../infra/api-stack';
import { stageOptionsFromContext } from '../../infra/context';
import {
  COMMON_RULES_COUNTED,
  DEFAULT_WAF_RATE_LIMIT_PER_MINUTE,
  WAF_RATE_WINDOW_SECONDS,
} from '../../infra/edge-stack';
import { defineGatewayStage } from '../../infra/gateway';
import type { GatewayStage } from '../../infra/gateway';
import { ORIGIN_VERIFY_HEADER } from '../../shared/edge';

const fixtureHandler = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

function stageFromContext(context: Record<string, string>): { stage: GatewayStage; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'cgw-cdk-waf-'));
  const app = new App({ outdir, context });
  const stage = defineGatewayStage(app, { ...stageOptionsFromContext(app), entryFor: () => fixtureHandler });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stage, outdir };
}

type Resource = { Type: string; Properties: Record<string, unknown> };

let guarded: GatewayStage;
let outdir: string;
let edge: Template;
let api: Template;

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  ({ stage: guarded, outdir } = stageFromContext({ stage: 'prod', waf: 'true', wafRateLimit: '600' }));
  edge = Template.fromStack(guarded.edge!);
  api = Template.fromStack(guarded.stateless);
}, 180_000);

describe('-c waf=true', () => {
  it('passes cdk-nag with nothing unacknowledged', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string }[] }[];
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName))).toEqual([]);
  });

  it('keeps the web ACL in a stack of its own in us-east-1, CloudFront’s scope, naming no account', () => {
    expect(guarded.edge!.stackName).toBe('concur-gateway-prod-edge');
    expect(guarded.edge!.region).toBe('us-east-1');
    expect(JSON.stringify(edge.toJSON())).not.toMatch(/\d{12}/);
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'concur-gateway-prod-api',
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true }),
    });
    // The api stack is deployed after it (`cdk deploy --all`), and neither the state nor the api stack names a
    // region.
    expect(guarded.stateless.dependencies).toContain(guarded.edge);
    for (const stack of [guarded.stateful, guarded.stateless])
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('"Region":"us-east-1"');
  });

  it('blocks an address above -c wafRateLimit a minute with 429 problem+json, before the managed rules', () => {
    const [acl] = Object.values(edge.findResources('AWS::WAFv2::WebACL')) as Resource[];
    const rules = acl!.Properties.Rules as {
      Name: string;
      Priority: number;
      Statement: Record<string, Record<string, unknown>>;
      Action?: { Block?: { CustomResponse?: { ResponseCode: number; CustomResponseBodyKey: string } } };
      VisibilityConfig: { CloudWatchMetricsEnabled: boolean; SampledRequestsEnabled: boolean };
    }[];
    const ordered = [...rules].sort((a, b) => a.Priority - b.Priority);
    expect(ordered.map((rule) => rule.Name)).toEqual([
      'RateLimitPerIp',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'AWS-AWSManagedRulesCommonRuleSet',
    ]);
    const rate = ordered[0]!;
    expect(rate.Statement.RateBasedStatement).toEqual({
      Limit: 600,
      AggregateKeyType: 'IP',
      EvaluationWindowSec: WAF_RATE_WINDOW_SECONDS,
    });
    const response = rate.Action!.Block!.CustomResponse!;
    expect(response.ResponseCode).toBe(429);
    const bodies = acl!.Properties.CustomResponseBodies as Record<
      string,
      { ContentType: string; Content: string }
    >;
    const body = bodies[response.CustomResponseBodyKey]!;
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content)).toMatchObject({
      type: 'urn:concur-gateway:problem:rate-limited',
      status: 429,
      detail: expect.stringContaining('600 requests a minute'),
    });
    for (const rule of rules)
      expect(rule.VisibilityConfig).toMatchObject({
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: true,
      });
  });

  it('runs the AWS managed common and known-bad-inputs rules, the body size and user-agent rules counting only', () => {
    const [acl] = Object.values(edge.findResources('AWS::WAFv2::WebACL')) as Resource[];
    const groups = (
      acl!.Properties.Rules as { Statement: Record<string, unknown>; OverrideAction?: unknown }[]
    )
      .filter((rule) => rule.Statement.ManagedRuleGroupStatement)
      .map((rule) => ({
        ...(rule.Statement.ManagedRuleGroupStatement as {
          VendorName: string;
          Name: string;
          RuleActionOverrides?: { Name: string; ActionToUse: unknown }[];
        }),
        override: rule.OverrideAction,
      }));
    const common = groups.find((group) => group.Name === 'AWSManagedRulesCommonRuleSet')!;
    expect(common.VendorName).toBe('AWS');
    // The group's own actions apply (None): its rules block, but those a booking's body would trip.
    expect(common.override).toEqual({ None: {} });
    expect(common.RuleActionOverrides).toEqual(
      COMMON_RULES_COUNTED.map((name) => ({ Name: name, ActionToUse: { Count: {} } })),
    );
    expect(COMMON_RULES_COUNTED).toContain('SizeRestrictions_BODY');
    const badInputs = groups.find((group) => group.Name === 'AWSManagedRulesKnownBadInputsRuleSet')!;
    expect(badInputs).toMatchObject({ VendorName: 'AWS', override: { None: {} } });
    expect(badInputs.RuleActionOverrides ?? []).toEqual([]);
  });

  it('logs only what a rule blocked or counted, to an aws-waf-logs- group kept as long as the others', () => {
    edge.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-concur-gateway-prod',
      RetentionInDays: 30,
    });
    edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
      LoggingFilter: Match.objectLike({ DefaultBehavior: 'DROP' }),
    });
  });

  it('puts a CloudFront distribution with the web ACL in front of the HTTP API, caching nothing, forwarding all but Host', () => {
    const [distribution] = Object.values(api.findResources('AWS::CloudFront::Distribution')) as Resource[];
    const config = distribution!.Properties.DistributionConfig as {
      WebACLId: unknown;
      Origins: { DomainName: unknown; CustomOriginConfig: { OriginProtocolPolicy: string } }[];
      DefaultCacheBehavior: Record<string, unknown>;
    };
    // The web ACL's ARN, read at deploy time from the parameter the edge stack writes in us-east-1.
    expect(config.WebACLId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^EdgeWebAclArn/), 'Parameter.Value'],
    });
    edge.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/concur-gateway/prod/edge/web-acl-arn',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
    });
    const [reader] = Object.values(api.findResources('Custom::AWS')) as Resource[];
    const call = JSON.parse(JSON.stringify(reader!.Properties.Create)) as unknown;
    expect(JSON.stringify(call)).toContain('\\"region\\":\\"us-east-1\\"');
    expect(JSON.stringify(call)).toContain('/concur-gateway/prod/edge/web-acl-arn');

    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0]!.DomainName).toEqual({
      'Fn::Join': [
        '',
        [
          { Ref: expect.stringMatching(/^Api[0-9A-F]{8}$/) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
        ],
      ],
    });
    expect(config.Origins[0]!.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      // CachingDisabled and AllViewerExceptHostHeader, AWS's managed policies.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      ViewerProtocolPolicy: 'https-only',
    });
  });

  it('sends a generated secret in x-origin-verify, which every HTTP function reads to refuse requests around it', () => {
    const secrets = api.findResources('AWS::SecretsManager::Secret');
    const [secretId, secret] = Object.entries(secrets).find(([id]) =>
      id.startsWith('EdgeOriginVerifySecret'),
    )!;
    expect(secret.Properties.Name).toBe('concur-gateway/prod/edge/origin-verify');
    expect(secret.Properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    const [distribution] = Object.values(api.findResources('AWS::CloudFront::Distribution')) as Resource[];
    const origin = (
      distribution!.Properties.DistributionConfig as {
        Origins: { OriginCustomHeaders: { HeaderName: string; HeaderValue: unknown }[] }[];
      }
    ).Origins[0]!;
    expect(origin.OriginCustomHeaders).toEqual([
      {
        HeaderName: ORIGIN_VERIFY_HEADER,
        HeaderValue: {
          'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
        },
      },
    ]);

    const functions = api.findResources('AWS::Lambda::Function');
    const httpFunctions = functionNames().map((name) => {
      const found = Object.values(functions).find(
        (fn) => fn.Properties.FunctionName === `concur-gateway-prod-${name}`,
      );
      return [name, found!] as const;
    });
    expect(httpFunctions).toHaveLength(functionNames().length);
    const distributionUrl = {
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^EdgeDistribution/), 'DomainName'] }],
      ],
    };
    for (const [, fn] of httpFunctions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        ORIGIN_VERIFY_SECRET_ARN: { Ref: secretId },
        API_BASE_URL: distributionUrl,
      });
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const policies = Object.values(api.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
      );
      expect(JSON.stringify(policies)).toContain(`{"Ref":"${secretId}"}`);
    }
    // The functions that serve no HTTP route neither read it nor need it.
    for (const fn of Object.values(functions)) {
      const name = String(fn.Properties.FunctionName ?? '');
      if (httpFunctions.some(([, own]) => own === fn)) continue;
      expect(fn.Properties.Environment?.Variables?.ORIGIN_VERIFY_SECRET_ARN).toBeUndefined();
      if (name.endsWith('-processor'))
        expect(fn.Properties.Environment.Variables.API_BASE_URL).toEqual(distributionUrl);
    }
  });

  it('outputs the distribution’s URL as the API’s and the suppliers’ URL, and shows WAF on the dashboard', () => {
    const url = {
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^EdgeDistribution/), 'DomainName'] }],
      ],
    };
    expect(api.findOutputs('ApiUrl').ApiUrl!.Value).toEqual(url);
    expect(api.findOutputs('SupplierUrl').SupplierUrl!.Value).toEqual(url);
    const [dashboard] = Object.values(api.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    expect(body).toContain('AWS/WAFV2');
    expect(body).toContain('BlockedRequests');
    expect(body).toContain('us-east-1');
  });
});

describe('without -c waf=true', () => {
  it('has no edge stack, distribution, web ACL or origin-verify secret, and the API’s own URL', () => {
    for (const context of [{ stage: 'plain' }, { stage: 'plain', waf: 'false' }]) {
      const app = new App({ context });
      const plain = defineGatewayStage(app, {
        ...stageOptionsFromContext(app),
        entryFor: () => fixtureHandler,
      });
      expect(plain.edge).toBeUndefined();
      expect(app.node.children.map((child) => child.node.id)).toEqual([
        'concur-gateway-plain-state',
        'concur-gateway-plain-api',
      ]);
      const template = Template.fromStack(plain.stateless);
      for (const type of ['AWS::CloudFront::Distribution', 'AWS::WAFv2::WebACL', 'Custom::AWS'])
        template.resourceCountIs(type, 0);
      const text = JSON.stringify(template.toJSON());
      expect(text).not.toContain('ORIGIN_VERIFY_SECRET_ARN');
      expect(text).not.toContain('origin-verify');
      expect(template.findOutputs('ApiUrl').ApiUrl!.Value).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^Api/), 'ApiEndpoint'],
      });
    }
  }, 120_000);

  it('refuses a flag that is neither true nor false, a rate without WAF, and WAF beside a custom domain', () => {
    const options = (context: Record<string, string>) => () => stageOptionsFromContext(new App({ context }));
    expect(options({ waf: 'yes' })).toThrow(/-c waf=yes: true or false/);
    expect(options({ wafRateLimit: '600' })).toThrow(/needs -c waf=true/);
    expect(options({ waf: 'true', wafRateLimit: '5' })).toThrow(/at least 10/);
    expect(options({ waf: 'true', domainName: 'x.example.com', certificateArn: 'arn:aws:acm:…' })).toThrow(
      /not supported/,
    );
    expect(stageOptionsFromContext(new App({ context: { waf: 'true' } })).waf).toEqual({
      rateLimitPerMinute: undefined,
    });
    expect(DEFAULT_WAF_RATE_LIMIT_PER_MINUTE).toBeGreaterThan(20 * 60);
  });
});

describe('docs/operations.md', () => {
  it('states the default per-address limit and its window as the edge stack sets them', () => {
    const operations = readFileSync(
      fileURLToPath(new URL('../../docs/operations.md', import.meta.url)),
      'utf8',
    );
    const section = operations.slice(operations.indexOf('## AWS WAF in front of the API'));
    const [, limit, window] =
      /default ([\d,]+), from one IP address within\s+(\d+) seconds/.exec(section) ?? [];
    expect(Number(limit?.replace(',', ''))).toBe(DEFAULT_WAF_RATE_LIMIT_PER_MINUTE);
    expect(Number(window)).toBe(WAF_RATE_WINDOW_SECONDS);
    const keyRow = operations.split('\n').find((line) => line.startsWith('| `wafRateLimit`'));
    expect(keyRow).toContain(DEFAULT_WAF_RATE_LIMIT_PER_MINUTE.toLocaleString('en-US'));
  });
});
