/**
 * Lambda: the keep-alive of Concur connections, run on a schedule (an EventBridge rule on AWS, a timer in
 * `npm start`): refreshes every connection not refreshed for a week, so that no refresh token reaches its six
 * months unused (docs/operations.md).
 */
import { connectionKeepAlive } from '../../shared/composition/keep-alive';

export const handler = async (): Promise<{
  refreshed: number;
  recent: number;
  refused: number;
  failed: number;
  stale: number;
  expiring: number;
}> => {
  const { connections: _each, ...counts } = await connectionKeepAlive().run();
  return counts;
};
