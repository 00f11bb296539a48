/**
 * A stand-in for CloudFormation's DescribeStacks, enough for the command line to find a stage's resources: the
 * AWS query protocol (form-encoded POST, XML answer) over real HTTP on a free port, so the real
 * `@aws-sdk/client-cloudformation` reads it (through AWS_ENDPOINT_URL_CLOUDFORMATION). Stacks it does not hold
 * get CloudFormation's ValidationError "does not exist".
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCloudFormation {
  endpoint: string;
  /** The `Action` and `StackName` of every request, in order. */
  requests: { action: string; stackName?: string }[];
  close(): Promise<void>;
}

const xml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

export async function startFakeCloudFormation(
  stacks: Record<string, Record<string, string>>,
): Promise<FakeCloudFormation> {
  const requests: FakeCloudFormation['requests'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      const stackName = form.get('StackName') ?? undefined;
      requests.push({ action, ...(stackName !== undefined ? { stackName } : {}) });
      const requestId = randomUUID();
      const answer = (status: number, text: string) => {
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        response.end(text);
      };
      const error = (status: number, code: string, message: string) =>
        answer(
          status,
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>` +
            `<Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      if (action !== 'DescribeStacks') return error(400, 'InvalidAction', `${action} is not served here`);
      const outputs = stackName !== undefined ? stacks[stackName] : undefined;
      if (!outputs) return error(400, 'ValidationError', `Stack with id ${stackName ?? ''} does not exist`);
      const members = Object.entries(outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
        )
        .join('');
      answer(
        200,
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>` +
          `<Stacks><member><StackName>${xml(stackName!)}</StackName>` +
          `<StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${xml(stackName!)}/${requestId}</StackId>` +
          `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus>` +
          `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
