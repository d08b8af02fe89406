/**
 * Cloud annotation benchmark: the request scheduler driving the real OpenAI SDK annotator against
 * the local fake server, at a configured rate limit, with injected 429s (Retry-After) and 500s.
 * Prints the achieved request rate against the limit (goal: at least 95%) and checks that every
 * item was annotated exactly once, none lost or duplicated.
 * Usage: node test/bench/cloudBench.ts [--rpm 600] [--seconds 20] [--rate-limited 0.05] [--errors 0.03]
 */
import sharp from 'sharp';
import { parseArgs } from 'node:util';
import { OpenAIAnnotator } from '../../src/core/annotate/cloud/openaiAnnotator.ts';
import { RequestScheduler } from '../../src/core/annotate/cloud/requestScheduler.ts';
import type { ScheduledOutcome } from '../../src/core/annotate/cloud/requestScheduler.ts';
import { FakeOpenAI } from '../fixtures/providers/fakeOpenAI.ts';
import { check, figure, report } from './benchUtil.ts';

const { values } = parseArgs({
  options: {
    rpm: { type: 'string', default: '600' },
    seconds: { type: 'string', default: '20' },
    'rate-limited': { type: 'string', default: '0.05' },
    errors: { type: 'string', default: '0.03' },
    concurrency: { type: 'string', default: '16' },
  },
});
const rpm = Number(values.rpm);
const seconds = Number(values.seconds);
const rateLimited = Number(values['rate-limited']);
const serverErrors = Number(values.errors);
const concurrency = Number(values.concurrency);

// Deterministic injection, so runs compare.
let seed = 12345;
const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const server = await new FakeOpenAI().start();
/** The item number a request carries (its caption, in the prompt). */
const itemOf = (body: Buffer): number => Number(/item-(\d+)/.exec(body.toString('utf8'))?.[1] ?? -1);
const answered = new Map<number, number>();
let injected429 = 0;
let injected500 = 0;
server.fallback = (request) => {
  const item = itemOf(request.body);
  const r = random();
  if (r < rateLimited) {
    injected429++;
    return { kind: 'rate-limit', retryAfter: 1 };
  }
  if (r < rateLimited + serverErrors) {
    injected500++;
    return { kind: 'server' };
  }
  answered.set(item, (answered.get(item) ?? 0) + 1);
  return { kind: 'ok', output: { tags: [`item ${item}`, 'solo'] }, delayMs: 50 + Math.floor(random() * 250) };
};

const image = await sharp({ create: { width: 1024, height: 768, channels: 3, background: { r: 120, g: 80, b: 200 } } })
  .jpeg()
  .toBuffer();
const annotator = new OpenAIAnnotator({
  provider: 'openai',
  model: 'gpt-4.1-mini',
  apiKey: 'sk-bench-000000000000000000000000',
  baseUrl: `${server.url}/v1`,
  style: 'tags',
  maxSide: 512,
  timeoutMs: 10_000,
});
// Retries take slots too: plan the items so the requests (about items / (1 - failure rate)) fill the time.
const items = Math.round((rpm / 60) * seconds * (1 - rateLimited - serverErrors));
const scheduler = new RequestScheduler({ rpm, concurrency, maxAttempts: 10 });

const outcomes = new Map<number, ScheduledOutcome<number>[]>();
const started = performance.now();
const summary = await scheduler.runAll(
  Array.from({ length: items }, (_, i) => i),
  async (i, signal) =>
    (await annotator.annotate([{ path: `bench/${i}.jpg`, image, caption: `item-${i}` }], signal))[0]!,
  (o) => {
    outcomes.set(o.item, [...(outcomes.get(o.item) ?? []), o]);
  },
);
const wall = (performance.now() - started) / 1000;
await annotator.close();
await server.close();

const sent = server.requestsTo('/v1/chat/completions').sort((a, b) => a.at - b.at);
const times = sent.map((r) => r.at);
const span = (times[times.length - 1]! - times[0]!) / 1000;
const achieved = ((times.length - 1) / span) * 60;
// Steady state: until the last item's first request; after it only retries are left, spaced by their backoff.
const lastFresh = sent.findIndex((r) => itemOf(r.body) === items - 1);
const steadyIndex = lastFresh > 0 ? lastFresh : times.length - 1;
const steady = (steadyIndex / ((times[steadyIndex]! - times[0]!) / 1000)) * 60;
const ratio = steady / rpm;
const everyItemOnce =
  outcomes.size === items && [...outcomes.values()].every((o) => o.length === 1 && o[0]!.status === 'done');
const tagged = [...outcomes.values()].every(
  (o) => o[0]!.status === 'done' && o[0]!.result.tags?.[0]?.name === `item ${o[0]!.item}`,
);
const serverOnce = answered.size === items && [...answered.values()].every((n) => n === 1);

console.log(
  `cloud scheduler + OpenAI SDK against the fake server: ${items} items, limit ${rpm} requests/min, concurrency ${concurrency}`,
);
console.log(
  `  requests ${times.length} (${injected429} x 429 with Retry-After 1 s, ${injected500} x 500), retries ${scheduler.retries}, wall ${wall.toFixed(1)} s`,
);
console.log(`  outcomes: ${summary.done} done, ${summary.failed} failed, ${summary.cancelled} cancelled`);
// Not above the limit beyond 1% of arrival-time jitter.
report(
  'cloud requests while items waited vs the limit',
  `${(ratio * 100).toFixed(1)}% (${steady.toFixed(1)} of ${rpm}/min)`,
  '95% to 101%',
  ratio >= 0.95 && ratio <= 1.01,
);
figure(
  'cloud requests, retry tail included',
  `${((achieved / rpm) * 100).toFixed(1)}% (${achieved.toFixed(1)}/min over ${span.toFixed(1)} s)`,
);
check(
  'cloud: every item done once',
  everyItemOnce && tagged,
  `${outcomes.size} of ${items} items reported, each once and with its own answer: ${everyItemOnce && tagged}`,
);
check(
  'cloud: every item answered once by the server',
  serverOnce,
  `${answered.size} of ${items} items answered, none twice: ${serverOnce}`,
);
