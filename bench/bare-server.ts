/**
 * The reference of `npm run bench`: a bare Fastify hello-world (no plugin, no hook, logger off),
 * one GET route answering a constant text. Run as a child process like bench/server.ts, it prints
 * its port on stdout (bench/protocol.ts) and stops on SIGTERM, SIGINT or when stdin closes.
 */
import fastify from 'fastify';
import { formatServerMessage } from './protocol.ts';

const app = fastify({ logger: false });
app.get('/', async (_request, reply) => reply.type('text/plain').send('hello world'));

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  void app.close().finally(() => process.exit(0));
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (typeof address !== 'object' || !address) throw new Error('no listening address');
process.stdout.write(formatServerMessage({ type: 'bare', port: address.port }));
