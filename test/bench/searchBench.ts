/**
 * Search benchmark: times representative queries (page of 200 + total count) and tag statistics on a
 * 100,000-image synthetic index kept under .bench/. Goal: p95 < 20 ms per query.
 *
 *   node test/bench/searchBench.ts [--rebuild] [--count N] [--runs N]
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openIndexDatabase, removeDatabaseFiles } from '../../src/core/index/database.ts';
import { searchImages, tagStats } from '../../src/core/index/search.ts';
import { buildSyntheticIndex } from '../fixtures/syntheticIndex.ts';
import { SCHEMA_VERSION } from '../../src/core/index/schema.ts';
import { figure, report } from './benchUtil.ts';

const GOAL_MS = 20;
const PAGE = 200;

const QUERIES: { label: string; query: string; deep?: true }[] = [
  { label: 'empty query', query: '' },
  { label: 'common tag', query: '1girl' },
  { label: 'rare tag', query: 'kiyohime_(fate)' },
  { label: 'two tags AND', query: '1girl solo' },
  { label: 'OR with grouping', query: '(blue_eyes OR red_eyes) smile' },
  { label: 'negation', query: '1girl -solo' },
  { label: 'wildcard', query: 'long_*' },
  { label: 'caption phrase', query: '"looking at viewer"' },
  { label: 'size + aspect', query: 'width>=1024 aspect:portrait' },
  { label: 'folder, no caption', query: 'folder:10_alice -has:caption' },
  { label: 'deep page (cursor, 90%)', query: '1girl', deep: true },
  { label: 'matches late in sort order', query: 'folder:reg' },
  { label: 'sort:random', query: 'sort:random' },
];

const { values } = parseArgs({
  options: {
    rebuild: { type: 'boolean', default: false },
    count: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '50' },
  },
});
const count = Number(values.count);
const runs = Number(values.runs);
const dir = join(import.meta.dirname, '..', '..', '.bench');
const file = join(dir, `search-${count}-schema${SCHEMA_VERSION}.db`);

mkdirSync(dir, { recursive: true });
if (values.rebuild || !existsSync(file)) {
  removeDatabaseFiles(file);
  const started = performance.now();
  buildSyntheticIndex(file, count);
  console.log(`Built ${count} synthetic images in ${((performance.now() - started) / 1000).toFixed(1)} s: ${file}`);
}

const { db } = openIndexDatabase(file);
console.log(`${runs} runs per query, ${PAGE} results per page.\n`);

const rows: string[][] = [['query', 'matches', 'p50 ms', 'p95 ms', 'max ms', '']];
let failures = 0;
let worstP95 = 0;
for (const { label, query, deep } of QUERIES) {
  let cursor: string | undefined;
  if (deep) {
    const { total } = searchImages(db, query, { limit: 0 });
    cursor = searchImages(db, query, { limit: PAGE, offset: Math.floor(total * 0.9) - PAGE }).nextCursor ?? undefined;
  }
  const run = (): number => searchImages(db, query, { limit: PAGE, ...(cursor ? { cursor } : {}) }).total;
  const { times, result } = measure(run, runs);
  const p95 = percentile(times, 0.95);
  if (p95 >= GOAL_MS) failures++;
  worstP95 = Math.max(worstP95, p95);
  rows.push([
    `${label}: ${query || '(empty)'}`,
    String(result),
    ...[0.5, 0.95, 1].map((p) => percentile(times, p).toFixed(2)),
    p95 < GOAL_MS ? 'ok' : 'SLOW',
  ]);
}
printTable(rows);
console.log('');
report(
  `search p95, each of ${QUERIES.length} queries`,
  `worst ${worstP95.toFixed(2)} ms (${failures} over the goal)`,
  `< ${GOAL_MS} ms`,
  failures === 0,
);

const stats = measure(() => tagStats(db).tags.length, Math.min(runs, 10));
figure(
  `tagStats, whole index (${stats.result} tags)`,
  `p50 ${percentile(stats.times, 0.5).toFixed(1)} ms, max ${percentile(stats.times, 1).toFixed(1)} ms`,
);
const scoped = measure(() => tagStats(db, 'folder:10_alice').tags.length, Math.min(runs, 10));
figure(`tagStats, folder:10_alice (${scoped.result} tags)`, `p50 ${percentile(scoped.times, 0.5).toFixed(1)} ms`);
const dense = measure(() => tagStats(db, '1girl').tags.length, Math.min(runs, 10));
figure(`tagStats, 1girl (${dense.result} tags)`, `p50 ${percentile(dense.times, 0.5).toFixed(1)} ms`);
db.close();

function measure(fn: () => number, times: number): { times: number[]; result: number } {
  let result = 0;
  for (let i = 0; i < 3; i++) result = fn();
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    result = fn();
    out.push(performance.now() - started);
  }
  return { times: out.sort((a, b) => a - b), result };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) {
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  }
}
