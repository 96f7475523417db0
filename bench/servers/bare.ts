/**
 * The bare Fastify reference, run in its own process by bench/run.ts: one route at Latch's path,
 * `GET /nbapi/ei/v1/agents`, answering the body Latch's authorized route answers (given by the
 * parent in BENCH_BODY), with no plugins, no hooks and no logger.
 *
 *   BENCH_PORT=… BENCH_BODY='{"agents":[],…}' node --import tsx bench/servers/bare.ts
 */
import Fastify from 'fastify';

const port = Number(process.env.BENCH_PORT);
const body: unknown = JSON.parse(process.env.BENCH_BODY ?? '{}');
const app = Fastify({ logger: false });
app.get('/nbapi/ei/v1/agents', async () => body);
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
