/**
 * Cost of bounding a user's regular expression in time (src/core/edits/safeRegex.ts): a regex
 * replaceTag over 3,000 captions of 12 tags through the real caption edit, against the same
 * replacement done natively (no bound) and against running each caption under `vm` with a timeout
 * (the other way to interrupt a regex), measured in the same run. Goal: an overhead under 0.1 ms a caption.
 *
 *   node test/bench/regexBench.ts [--captions N] [--runs N]
 */
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import { editCaption } from '../../src/core/edits/captionEdits.ts';
import { BoundedRegex } from '../../src/core/edits/safeRegex.ts';
import { percentile, report } from './benchUtil.ts';

const GOAL_MS_PER_CAPTION = 0.1;
const TAGS = [
  '1girl',
  'solo',
  'long hair',
  'short hair',
  'blue eyes',
  'smile',
  'looking at viewer',
  'outdoors',
  'red hair',
  'standing',
  'sky',
  'kiyohime \\(fate\\)',
];

const { values } = parseArgs({
  options: { captions: { type: 'string', default: '3000' }, runs: { type: 'string', default: '5' } },
});
const count = Number(values.captions);
const runs = Number(values.runs);
const captions = Array.from({ length: count }, (_, i) => `${TAGS.slice(i % 4).join(', ')}, tag_${i}\n`);
const find = '^(\\w+) hair$';
const replace = 'hair ($1)';

/** Median wall time of `runs` passes of `pass` over every caption, in ms. */
function time(pass: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    pass();
    samples.push(performance.now() - started);
  }
  return percentile(samples, 50);
}

const startedHelper = performance.now();
new BoundedRegex('a').replaceEach(['a'], 'b');
const startMs = performance.now() - startedHelper;

const parts = captions.map((c) =>
  c
    .trim()
    .split(',')
    .map((p) => p.trim()),
);
const native = new RegExp(find, 'gu');
const nativeMs = time(() => {
  for (const tags of parts) tags.map((p) => p.replace(native, replace));
});
const bounded = new BoundedRegex(find);
const boundedMs = time(() => {
  for (const tags of parts) bounded.replaceEach(tags, replace);
});
const context = vm.createContext({ re: native, replace, tags: [] as string[] });
const script = new vm.Script('tags.map((p) => p.replace(re, replace))');
const vmMs = time(() => {
  for (const tags of parts) {
    context.tags = tags;
    script.runInContext(context, { timeout: 10_000 });
  }
});
const editMs = time(() => {
  for (const caption of captions) editCaption(caption, { kind: 'replaceTag', find, replace, regex: true });
});

console.log(
  `${count} captions of up to ${TAGS.length + 1} tags, /${find}/, median of ${runs} runs; helper thread started in ${startMs.toFixed(0)} ms.\n`,
);
const overhead = (boundedMs - nativeMs) / count;
const figure = (name: string, value: string): void => console.log(`${name.padEnd(44)} ${value}`);
figure('native replace (no bound, reference)', `${nativeMs.toFixed(1)} ms a batch`);
figure('vm with a timeout per caption (reference)', `${vmMs.toFixed(1)} ms a batch`);
figure('bounded (helper thread)', `${boundedMs.toFixed(1)} ms a batch`);
figure('the whole caption edit, bounded', `${editMs.toFixed(1)} ms a batch`);
report(
  'bounded regex overhead a caption',
  `${(overhead * 1000).toFixed(1)} µs`,
  `< ${GOAL_MS_PER_CAPTION * 1000} µs`,
  overhead < GOAL_MS_PER_CAPTION,
);
console.log(`\nvm per caption / bounded: ${(vmMs / boundedMs).toFixed(1)}x`);
