/**
 * A request body parsed as JSON, refused (400) when it is not JSON or nests deeper than any document of the
 * API. JSON.parse itself does not recurse, but what handles the value afterwards does (structuredClone, zod,
 * JSON.stringify, the DynamoDB marshaller): thousands of levels overflow their stacks. So the depth is checked
 * here, without recursion, before anything else sees the value.
 */
import { GatewayError } from '../gateway/errors';
import { formatPath } from '../problem';
import { HttpProblem } from './problem-responses';

/** The JSON form's deepest documents (a trip's bookings' segments' charges…) nest about a dozen levels. */
export const MAX_JSON_DEPTH = 64;

export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(400, 'invalid-json', 'The body is not JSON', (error as Error).message);
  }
  const tooDeep = pathBeyondDepth(value, MAX_JSON_DEPTH);
  if (tooDeep) {
    throw new GatewayError('validation', 'the body nests too deeply', [
      {
        path: formatPath(tooDeep),
        message: `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`,
      },
    ]);
  }
  return value;
}

interface Node {
  value: unknown;
  depth: number;
  key?: string | number;
  parent?: Node;
}

/** The path of the first object or array deeper than `maxDepth`, found without recursion; undefined if none. */
function pathBeyondDepth(root: unknown, maxDepth: number): (string | number)[] | undefined {
  const pending: Node[] = [{ value: root, depth: 0 }];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const { value, depth } = node;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) {
      const path: (string | number)[] = [];
      for (let at: Node | undefined = node; at?.parent; at = at.parent) path.unshift(at.key!);
      return path;
    }
    if (Array.isArray(value))
      value.forEach((item, key) => pending.push({ value: item, depth: depth + 1, key, parent: node }));
    else
      for (const [key, item] of Object.entries(value))
        pending.push({ value: item, depth: depth + 1, key, parent: node });
  }
  return undefined;
}
