/**
 * AWS WAF for a stage (`-c waf=true`): the web ACL of the CloudFront distribution the api stack puts in front of
 * its HTTP API. A web ACL of CloudFront's scope exists only in us-east-1, so this small stack is the one stack of
 * a stage pinned to a region; it names no account. It publishes the web ACL's ARN as an SSM parameter in
 * us-east-1, which the api stack reads at deploy time (infra/api-edge.ts): a CloudFormation export cannot cross
 * regions, and the other stacks stay free of any region.
 */
import { ArnFormat, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { problemType } from '../shared/problem';
import type { StageNames } from '../shared/stage';

/** Where a CLOUDFRONT-scoped web ACL must live. */
export const EDGE_REGION = 'us-east-1';

/** Requests one IP address may send in a minute before the rate rule blocks it, unless `-c wafRateLimit=N`. */
export const DEFAULT_WAF_RATE_LIMIT_PER_MINUTE = 1_500;
/** AWS WAF's bounds of a rate-based rule's limit. */
export const MIN_WAF_RATE_LIMIT_PER_MINUTE = 10;
export const MAX_WAF_RATE_LIMIT_PER_MINUTE = 2_000_000_000;
/** The window WAF counts an address's requests in. */
export const WAF_RATE_WINDOW_SECONDS = 60;

/** The web ACL's rules, in the order WAF evaluates them; the names are also their CloudWatch metric names. */
export const WAF_RULES = {
  rateLimit: 'RateLimitPerIp',
  knownBadInputs: 'AWS-AWSManagedRulesKnownBadInputsRuleSet',
  common: 'AWS-AWSManagedRulesCommonRuleSet',
} as const;

/**
 * Rules of the common rule set that only count. SizeRestrictions_BODY blocks bodies over 8 KB, and a booking or
 * trip with its segments is larger: the functions limit each route's body themselves (shared/http/routes/).
 * NoUserAgent_HEADER blocks requests without a User-Agent, which say nothing about a supplier's integration or
 * Concur's event service.
 */
export const COMMON_RULES_COUNTED = ['SizeRestrictions_BODY', 'NoUserAgent_HEADER'] as const;

/** The web ACL's name, also its CloudWatch dimension. */
export function webAclName(names: StageNames): string {
  return `${names.resourcePrefix}-api`;
}

/** The SSM parameter (in us-east-1) holding a stage's web ACL ARN. */
export function webAclArnParameterName(names: StageNames): string {
  return `/${names.secretPrefix}/edge/web-acl-arn`;
}

export interface GatewayEdgeStackProps extends StackProps {
  names: StageNames;
  /** Requests per minute one IP address may send (default 1,500: above a supplier's default 20 a second, half the stage's 50). */
  rateLimitPerMinute?: number;
  logRetention: RetentionDays;
}

export class GatewayEdgeStack extends Stack {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: GatewayEdgeStackProps) {
    super(scope, id, { ...props, env: { region: EDGE_REGION } });
    const { names } = props;
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managedRuleGroup = (
      name: string,
      priority: number,
      counted: readonly string[] = [],
    ): CfnWebACL.RuleProperty => ({
      name: `AWS-${name}`,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(`AWS-${name}`),
    });
    const rateLimit = props.rateLimitPerMinute ?? DEFAULT_WAF_RATE_LIMIT_PER_MINUTE;

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: webAclName(names),
      description: `${names.resourcePrefix} - the HTTP API, on its CloudFront distribution`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(webAclName(names)),
      // The rate rule answers like the gateway's own rate limits: 429 problem+json (WAF allows only its own
      // content types, so the media type is application/json).
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: problemType('rate-limited'),
            title: 'Too many requests',
            status: 429,
            detail: `more than ${rateLimit} requests a minute from this address`,
          }),
        },
      },
      rules: [
        {
          name: WAF_RULES.rateLimit,
          priority: 0,
          action: {
            block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited' } },
          },
          statement: {
            rateBasedStatement: {
              limit: rateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: WAF_RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility(WAF_RULES.rateLimit),
        },
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 1),
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, COMMON_RULES_COUNTED),
      ],
    });

    // Only what a rule blocked or counted is logged: allowed requests are in the API's access log already.
    const logs = new LogGroup(this, 'WafLogs', {
      // WAF writes only to log groups whose name starts with aws-waf-logs-.
      logGroupName: `aws-waf-logs-${names.resourcePrefix}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        this.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });

    new StringParameter(this, 'WebAclArnParameter', {
      parameterName: webAclArnParameterName(names),
      stringValue: this.webAcl.attrArn,
      description: `${names.resourcePrefix}: the web ACL the api stack's CloudFront distribution uses`,
    });
    new CfnOutput(this, 'WebAclArn', { value: this.webAcl.attrArn });
  }
}
