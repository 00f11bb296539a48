/**
 * Lambda: the operations sweeper, run on a schedule (EventBridge Scheduler on AWS, a timer in `npm start`): queues
 * again the operations left open long after their next step was due (docs/events.md).
 */
import { operationSweeper } from '../../shared/composition/async-requests';

export const handler = async (): Promise<{ requeued: number }> => {
  const { requeued } = await operationSweeper().sweep();
  return { requeued: requeued.length };
};
