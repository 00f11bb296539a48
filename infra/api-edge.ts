/**
 * The CloudFront distribution in front of a stage's HTTP API when the stage has AWS WAF (`-c waf=true`): an HTTP
 * API cannot take a web ACL, a distribution can. Nothing is cached; every method, header (but Host), cookie and
 * query string goes to the API as sent, so the functions see what a supplier sent.
 *
 * The distribution adds a header with a secret generated at the first deploy (Secrets Manager) to every request
 * it forwards, and the functions refuse a request without it (shared/edge): the API's own execute-api URL then
 * answers nothing but 403, so WAF cannot be walked around.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '../shared/edge';
import type { StageNames } from '../shared/stage';
import { HTTP_FUNCTION_TIMEOUT } from './function-timeouts';
import { EDGE_REGION, webAclArnParameterName } from './edge-stack';

export interface ApiEdgeProps {
  names: StageNames;
  api: IHttpApi;
  logRetention: RetentionDays;
  /** The stage's key of log groups. */
  logsKey: IKey;
}

export class ApiEdge extends Construct {
  readonly distribution: Distribution;
  /** The value CloudFront sends in `x-origin-verify`; the functions read it to check each request. */
  readonly originVerifySecret: Secret;
  /** `https://<id>.cloudfront.net`: the URL callers use. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiEdgeProps) {
    super(scope, id);
    const { names, api } = props;
    const stack = Stack.of(this);

    this.originVerifySecret = new Secret(this, 'OriginVerifySecret', {
      secretName: `${names.secretPrefix}/edge/origin-verify`,
      description: `${names.resourcePrefix}: the header CloudFront adds to the requests it forwards to the HTTP API`,
      // Header-safe characters only.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.originVerifySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The origin-verify value is not a credential of any caller: it only proves a request passed CloudFront and its WAF, every request is still authenticated by the functions. Changing it means changing the distribution and the functions together (docs/operations.md: AWS WAF).',
    });

    // The web ACL lives in us-east-1 (infra/edge-stack.ts) and this stack has no region of its own: its ARN is
    // read from there at deploy time. Its name is fixed by the stage, so the ARN changes only if the edge stack
    // is deleted, which CloudFormation refuses while this distribution uses the web ACL.
    const parameterName = webAclArnParameterName(names);
    const getParameter = {
      service: 'SSM',
      action: 'GetParameter',
      region: EDGE_REGION,
      parameters: { Name: parameterName },
      physicalResourceId: PhysicalResourceId.of(parameterName),
    };
    // An own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group and read the parameter.
    const readerLogs = new LogGroup(this, 'WebAclArnReaderLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const readerRole = new Role(this, 'WebAclArnReaderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${names.resourcePrefix}: reads the web ACL's ARN from us-east-1 at deploy time`,
    });
    readerLogs.grantWrite(readerRole);
    const webAclArn = new AwsCustomResource(this, 'WebAclArn', {
      onCreate: getParameter,
      onUpdate: getParameter,
      role: readerRole,
      logGroup: readerLogs,
      // The SDK of the Lambda runtime: nothing is downloaded at deploy time.
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [
            stack.formatArn({
              service: 'ssm',
              region: EDGE_REGION,
              resource: 'parameter',
              resourceName: parameterName.slice(1),
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
        }),
      ]),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${names.resourcePrefix}: AWS WAF in front of the HTTP API`,
      webAclId: webAclArn.getResponseField('Parameter.Value'),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableIpv6: true,
      defaultBehavior: {
        origin: new HttpOrigin(`${api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originVerifySecret.secretValue.unsafeUnwrap() },
          // The functions may take up to their timeout; CloudFront's default 30 s read timeout covers it.
          readTimeout: Duration.seconds(HTTP_FUNCTION_TIMEOUT.toSeconds() + 1),
        }),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Everything the viewer sent (Authorization, Idempotency-Key, Prefer, webhook-*, Concur-Signature, query
        // strings) but Host: API Gateway answers only to its own name.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Suppliers, partners and Concur’s event service call from wherever they run: no country is refused.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Every request that passes reaches the HTTP API’s access log, and AWS WAF logs every request a rule blocked or counted (aws-waf-logs-<stage>, us-east-1): a third log of the same requests would only cost.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution answers on its own *.cloudfront.net name, whose default certificate lets CloudFront choose the TLS versions; a minimum protocol version needs a custom certificate, which the stage does not have with WAF.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;
  }
}
