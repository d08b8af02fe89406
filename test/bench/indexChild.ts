/**
 * Runs one indexing pass in its own process and prints a JSON line with the summary, the wall time
 * and the process's peak RSS, so benchmarks measure a clean process.
 * Usage: node test/bench/indexChild.ts DIR [--no-thumbs] [--concurrency N]
 */
import { peakRssMb } from '../helpers/peakRss.ts';
import { indexDataset } from '../../src/core/index/indexer.ts';

const [dir, ...rest] = process.argv.slice(2);
const concurrencyAt = rest.indexOf('--concurrency');
const started = performance.now();
const summary = await indexDataset(dir!, {
  thumbnails: !rest.includes('--no-thumbs'),
  ...(concurrencyAt >= 0 ? { concurrency: Number(rest[concurrencyAt + 1]) } : {}),
});
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, maxRssMb: peakRssMb(), summary }));
