// A stand-in for the Lambda Node.js runtime, run as a fresh process per function: it imports one bundle as
// Lambda does (file and export from the function's Handler setting) and answers each event sent over IPC, one
// at a time. Plain JavaScript on purpose: nothing of the project's tooling is loaded beside the bundle.
import { pathToFileURL } from 'node:url';

const [bundleFile, exportName] = process.argv.slice(2);
const bundle = await import(pathToFileURL(bundleFile).href);
const handler = bundle[exportName];
process.send({ type: 'ready', handlerType: typeof handler });

let queue = Promise.resolve();
process.on('message', (message) => {
  if (message.type !== 'invoke') return;
  queue = queue.then(async () => {
    const deadline = Date.now() + message.context.timeoutMs;
    const context = {
      ...message.context,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      process.send({ type: 'result', id: message.id, result: await handler(message.event, context) });
    } catch (error) {
      process.send({
        type: 'error',
        id: message.id,
        error: error instanceof Error ? error.stack : String(error),
      });
    }
  });
});
