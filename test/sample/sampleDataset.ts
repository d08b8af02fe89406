/**
 * Generated sample datasets: kohya-style concept folders of procedurally drawn images with
 * booru-style or sentence captions. By default a realistic mix of sizes, formats and caption
 * quirks; given a size or a format, uniform images for benchmarks. Deterministic for a seed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';
import { encodeBmp } from '../fixtures/bmpWriter.ts';

/** Options of generateSample. A width, height or format makes every image that size and format. */
export interface SampleOptions {
  /** Number of images (default 60). */
  count?: number;
  /** PRNG seed (default 42). */
  seed?: number;
  width?: number;
  height?: number;
  /** A file extension: jpg, jpeg, png, webp, gif, bmp, tif, tiff or avif (its case is kept). */
  format?: string;
  /** Whether to write caption files (default true). */
  captions?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** What generateSample wrote; `files` are relative to the folder, with `/` separators, sorted. */
export interface SampleResult {
  images: number;
  captions: number;
  files: string[];
}

/** Extensions generateSample can write. */
export const SAMPLE_FORMATS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif'];

const DEFAULT_COUNT = 60;
const DEFAULT_SEED = 42;
const UNIFORM_WIDTH = 768;
const UNIFORM_HEIGHT = 512;
const MAX_SIDE = 16383;

/** Writes a sample dataset into `dir` (created if missing; existing files of the same names are replaced). */
export async function generateSample(dir: string, options: SampleOptions = {}): Promise<SampleResult> {
  const count = options.count ?? DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 0) throw new Error(`The image count must be a whole number, not ${count}.`);
  const rng = createRandom(options.seed ?? DEFAULT_SEED);
  const uniform = options.width !== undefined || options.height !== undefined || options.format !== undefined;
  const plans = uniform ? planUniform(count, rng, uniformShape(options)) : planMix(count, rng);
  if (options.captions ?? true) assignCaptions(plans, rng);

  for (const folder of new Set(plans.map((plan) => folderOf(plan.path)))) {
    await mkdir(join(dir, ...folder.split('/')), { recursive: true });
  }
  if (plans.length === 0) await mkdir(dir, { recursive: true });

  const files: string[] = [];
  let done = 0;
  options.onProgress?.(0, plans.length);
  await runPool(plans, inFlight(plans), async (plan) => {
    await render(plan, join(dir, ...plan.path.split('/')));
    files.push(plan.path);
    if (plan.caption) {
      const captionPath = `${stemOf(plan.path)}.txt`;
      await writeFile(join(dir, ...captionPath.split('/')), plan.caption);
      files.push(captionPath);
    }
    options.onProgress?.(++done, plans.length);
  });
  files.sort();
  return { images: plans.length, captions: plans.filter((plan) => plan.caption).length, files };
}

/** One image per core (at least two) keeps large images from crowding memory; small ones need more in flight to hide I/O latency. */
function inFlight(plans: readonly ImagePlan[]): number {
  const cores = Math.max(2, Math.min(availableParallelism(), 8));
  const largest = plans.reduce((most, plan) => Math.max(most, plan.width * plan.height), 0);
  return largest <= 1 << 20 ? cores * 4 : cores;
}

type Encoding = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff' | 'avif';

/** One image to write, decided up front so the result never depends on completion order. */
interface ImagePlan {
  path: string;
  concept: Concept;
  encoding: Encoding;
  width: number;
  height: number;
  alpha: boolean;
  quality: number;
  drawSeed: number;
  /** Drawn at this size then resized (near-duplicates); drawn at width x height when absent. */
  drawnAt?: { width: number; height: number };
  /** Cheap raw-pixel drawing (uniform benchmark images) instead of SVG. */
  fast: boolean;
  caption?: Buffer;
}

interface UniformShape {
  width: number;
  height: number;
  ext: string;
  encoding: Encoding;
}

function uniformShape(options: SampleOptions): UniformShape {
  const width = options.width ?? UNIFORM_WIDTH;
  const height = options.height ?? (options.width === undefined ? UNIFORM_HEIGHT : Math.round((width * 2) / 3));
  for (const side of [width, height]) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE)
      throw new Error(`Image sides must be whole numbers from 1 to ${MAX_SIDE}, not ${side}.`);
  }
  const ext = options.format ?? 'jpg';
  const encoding = encodingOf(ext);
  if (!encoding) throw new Error(`Unknown image format "${ext}" (use one of ${SAMPLE_FORMATS.join(', ')}).`);
  return { width, height, ext, encoding };
}

function encodingOf(ext: string): Encoding | undefined {
  switch (ext.toLowerCase()) {
    case 'jpg':
    case 'jpeg':
      return 'jpeg';
    case 'tif':
    case 'tiff':
      return 'tiff';
    case 'png':
    case 'webp':
    case 'gif':
    case 'bmp':
    case 'avif':
      return ext.toLowerCase() as Encoding;
    default:
      return undefined;
  }
}

interface Concept {
  folder: string;
  prefix: string;
  triggers: string[];
  core: string[];
  /** One of these follows the core tags, when given. */
  subjects?: string[];
  /** Tags by falling frequency. */
  vocabulary: string[];
  palette: string[];
  sentence: (rng: Random) => string;
  /** Share of sentence captions instead of tags. */
  sentences: number;
}

const GENERAL = [
  'solo',
  'looking at viewer',
  'smile',
  'simple background',
  'upper body',
  'outdoors',
  'standing',
  'blush',
  'open mouth',
  'day',
  'sky',
  'closed mouth',
  'cloud',
  'holding',
  'full body',
  'white background',
  'sitting',
  'portrait',
  'long sleeves',
  'from side',
  'indoors',
  'tree',
  'short sleeves',
  'jewelry',
  'hand up',
  'flower',
  'light smile',
  'sunlight',
  'depth of field',
  'blurry background',
  'cowboy shot',
  'looking away',
  'window',
  'grass',
  'night',
  'closed eyes',
  'from behind',
  'water',
  'bag',
  'star \\(sky\\)',
  'wind',
  'hat',
  'building',
  'food',
  'cup',
  'book',
  'chair',
  'sunset',
  'rain',
  'umbrella',
  'snow',
  'cat',
  'bird',
  'petals',
  'bokeh',
  'lens flare',
  'monochrome',
  'sketch',
  'english text',
  'watermark',
];
const ACTIONS = [
  'sitting on a bench',
  'reading a book',
  'walking along a path',
  'standing still',
  'holding a cup of tea',
  'looking at the viewer',
  'laughing',
  'leaning against a wall',
];
const PLACES = [
  'in a garden',
  'by a window',
  'in a forest clearing',
  'on a city street',
  'at the beach',
  'in a cozy room',
  'under a cherry tree',
  'on a rooftop at dusk',
];
const LIGHTS = [
  'soft morning light',
  'golden hour light',
  'overcast light',
  'moonlight',
  'harsh noon sun',
  'candlelight',
];

function sentenceOf(subject: string): (rng: Random) => string {
  return (rng) => `${subject} ${rng.pick(ACTIONS)} ${rng.pick(PLACES)}, ${rng.pick(LIGHTS)}.`;
}

const ALICE: Concept = {
  folder: '10_alice',
  prefix: 'alice',
  triggers: ['alice', 'alice \\(wonderland\\)'],
  core: ['1girl'],
  vocabulary: [
    'blonde hair',
    'blue eyes',
    'long hair',
    'blue dress',
    'white apron',
    'hair ribbon',
    'black hairband',
    'puffy short sleeves',
    'frilled dress',
    'mary janes',
    'pocket watch',
    'teacup',
    'rabbit',
    'playing card',
    ...GENERAL,
  ],
  palette: ['#5b8bd9', '#f4f1e8', '#f2c94c', '#e88fb0', '#2d3a66', '#a7c7f2'],
  sentence: sentenceOf('alice, a girl with long blonde hair and blue eyes in a blue dress and white apron,'),
  sentences: 0.15,
};
const OUTFITS: Concept = {
  folder: '10_alice/outfits',
  prefix: 'outfit',
  triggers: ['alice', 'alice \\(wonderland\\)'],
  core: ['1girl'],
  vocabulary: [
    'blonde hair',
    'blue eyes',
    'school uniform',
    'serafuku',
    'kimono',
    'hoodie',
    'winter coat',
    'scarf',
    'sundress',
    'straw hat',
    'witch hat',
    'sneakers',
    'long hair',
    ...GENERAL,
  ],
  palette: ['#c0392b', '#f5e6ca', '#34495e', '#f39c12', '#8e44ad', '#ecf0f1'],
  sentence: sentenceOf('alice in a different outfit,'),
  sentences: 0.1,
};
const BOB: Concept = {
  folder: '5_bob',
  prefix: 'bob',
  triggers: ['bob'],
  core: ['1boy'],
  vocabulary: [
    'short hair',
    'brown hair',
    'beard',
    'male focus',
    'green eyes',
    'hoodie',
    'jeans',
    'glasses',
    'jacket',
    't-shirt',
    'facial hair',
    'backpack',
    'coffee',
    'stubble',
    ...GENERAL,
  ],
  palette: ['#6b4f3a', '#3e7d5a', '#c8a27a', '#2c3e50', '#d35400', '#95a5a6'],
  sentence: sentenceOf('bob, a bearded man with short brown hair,'),
  sentences: 0.2,
};
const FOREST: Concept = {
  folder: '3_forest_style',
  prefix: 'forest',
  triggers: ['forest_style'],
  core: ['scenery', 'no humans'],
  vocabulary: [
    'forest',
    'tree',
    'nature',
    'outdoors',
    'leaf',
    'sunlight',
    'moss',
    'dappled sunlight',
    'light rays',
    'fog',
    'river',
    'path',
    'mushroom',
    'fern',
    'rock',
    'stream',
    'autumn leaves',
    'mountain',
    'green theme',
    'day',
    'sky',
    'cloud',
    'grass',
    'water',
    'night',
    'sunset',
    'rain',
    'snow',
    'bird',
    'petals',
    'bokeh',
    'lens flare',
    'watermark',
  ],
  palette: ['#1e5631', '#a4de02', '#76ba1b', '#4c9a2a', '#acdf87', '#68bb59', '#2f4f2f', '#e3d26f'],
  sentence: (rng) =>
    `forest_style, ${rng.pick(['a misty', 'a sunlit', 'an ancient', 'a quiet', 'a dense'])} forest ` +
    `${rng.pick(['with a winding path', 'around a mossy stream', 'full of ferns', 'on a mountain slope'])}, ${rng.pick(LIGHTS)}.`,
  sentences: 0.15,
};
const REGULARIZATION: Concept = {
  folder: '1_regularization',
  prefix: 'reg',
  triggers: [],
  core: [],
  subjects: ['1girl', '1boy', 'no humans', '2girls'],
  vocabulary: GENERAL,
  palette: ['#7f8c8d', '#bdc3c7', '#2c3e50', '#e74c3c', '#3498db', '#f1c40f'],
  sentence: (rng) =>
    `A ${rng.pick(['photo', 'painting', 'drawing', 'digital illustration'])} of ` +
    `${rng.pick(['a woman', 'a man', 'a child', 'an old house', 'a dog', 'a bowl of fruit'])} ${rng.pick(PLACES)}.`,
  sentences: 0.3,
};
const ROOT: Concept = {
  folder: '',
  prefix: 'img',
  triggers: [],
  core: [],
  subjects: ['1girl', '1boy', 'no humans'],
  vocabulary: GENERAL,
  palette: ['#9b59b6', '#1abc9c', '#e67e22', '#34495e', '#ecf0f1'],
  sentence: sentenceOf('A person'),
  sentences: 0.2,
};

/** Folders of the default mix with their shares of the images. */
const MIX: ReadonlyArray<readonly [Concept, number]> = [
  [ALICE, 0.27],
  [OUTFITS, 0.08],
  [BOB, 0.2],
  [FOREST, 0.2],
  [REGULARIZATION, 0.17],
  [ROOT, 0.08],
];
const UNIFORM_CONCEPTS: readonly Concept[] = [ALICE, BOB, FOREST, REGULARIZATION];

/** Tags with Zipf-like frequencies: the tag of rank r is kept with probability ~ 2.5 / r^0.9. */
function tagCaption(concept: Concept, rng: Random): string {
  const tags = [...concept.triggers, ...concept.core];
  if (concept.subjects) tags.push(rng.pick(concept.subjects));
  concept.vocabulary.forEach((tag, rank) => {
    if (!tags.includes(tag) && rng.chance(Math.min(0.9, 2.5 / (rank + 1) ** 0.9))) tags.push(tag);
  });
  return tags.join(', ');
}

/** Gives ~90% of the images a caption: tags or a sentence, a few with a UTF-8 BOM and CRLF, some without a final newline. */
function assignCaptions(plans: ImagePlan[], rng: Random): void {
  const order = rng.shuffle(plans.map((_, i) => i));
  const without = plans.length >= 5 ? Math.max(1, Math.round(plans.length * 0.1)) : 0;
  const bomCrlf = plans.length >= 5 ? Math.max(1, Math.round(plans.length * 0.05)) : 0;
  const noNewline = Math.round(plans.length * 0.1);
  order.forEach((index, position) => {
    const plan = plans[index];
    if (!plan || position < without) return;
    const { concept } = plan;
    const text = rng.chance(concept.sentences) ? concept.sentence(rng) : tagCaption(concept, rng);
    if (position < without + bomCrlf) plan.caption = Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
    else if (position < without + bomCrlf + noNewline) plan.caption = Buffer.from(text, 'utf8');
    else plan.caption = Buffer.from(`${text}\n`, 'utf8');
  });
}

interface FormatChoice {
  encoding: Encoding;
  ext: string;
  alpha: boolean;
}

const SHOWCASE: readonly FormatChoice[] = [
  { encoding: 'png', ext: 'png', alpha: true },
  { encoding: 'png', ext: 'png', alpha: false },
  { encoding: 'webp', ext: 'webp', alpha: false },
  { encoding: 'gif', ext: 'gif', alpha: false },
  { encoding: 'bmp', ext: 'bmp', alpha: false },
  { encoding: 'tiff', ext: 'tif', alpha: false },
  { encoding: 'avif', ext: 'avif', alpha: false },
  { encoding: 'jpeg', ext: 'JPG', alpha: false },
  { encoding: 'jpeg', ext: 'jpeg', alpha: false },
];

function randomFormat(rng: Random): FormatChoice {
  const encoding = rng.weighted<Encoding>([
    ['jpeg', 0.6],
    ['png', 0.15],
    ['webp', 0.12],
    ['gif', 0.03],
    ['bmp', 0.03],
    ['tiff', 0.03],
    ['avif', 0.04],
  ]);
  switch (encoding) {
    case 'jpeg':
      return {
        encoding,
        ext: rng.weighted([
          ['jpg', 0.84],
          ['JPG', 0.1],
          ['jpeg', 0.06],
        ]),
        alpha: false,
      };
    case 'png':
      return { encoding, ext: rng.chance(0.1) ? 'PNG' : 'png', alpha: rng.chance(0.35) };
    case 'tiff':
      return { encoding, ext: rng.pick(['tif', 'tiff', 'TIF']), alpha: false };
    default:
      return { encoding, ext: encoding, alpha: false };
  }
}

const LONG_SIDES: ReadonlyArray<readonly [number, number]> = [
  [384, 0.08],
  [512, 0.22],
  [640, 0.12],
  [768, 0.2],
  [832, 0.06],
  [1024, 0.16],
  [1216, 0.06],
  [1536, 0.06],
  [2048, 0.04],
];
const ASPECTS: ReadonlyArray<readonly [number, number]> = [
  [1, 0.25],
  [2 / 3, 0.2],
  [3 / 2, 0.15],
  [16 / 9, 0.1],
  [9 / 16, 0.1],
  [4 / 5, 0.1],
  [3 / 4, 0.1],
];

function sizeOf(long: number, aspect: number): { width: number; height: number } {
  return aspect >= 1
    ? { width: long, height: Math.max(1, Math.round(long / aspect)) }
    : { width: Math.max(1, Math.round(long * aspect)), height: long };
}

/** The default mix: concept folders, varied formats and sizes, and a few near-duplicates. */
function planMix(count: number, rng: Random): ImagePlan[] {
  const duplicates = count >= 10 ? Math.max(1, Math.round(count / 20)) : 0;
  const originals = count - duplicates;
  const perFolder = apportion(
    originals,
    MIX.map(([, share]) => share),
  );
  const formats = originals >= 12 ? [...SHOWCASE] : [];
  while (formats.length < originals) formats.push(randomFormat(rng));
  rng.shuffle(formats);

  const names = new Map<Concept, NameSource>();
  const nameFor = (concept: Concept): string => {
    let source = names.get(concept);
    if (!source) names.set(concept, (source = nameSource(concept, rng)));
    const name = source();
    return concept.folder ? `${concept.folder}/${name}` : name;
  };

  const plans: ImagePlan[] = [];
  MIX.forEach(([concept], folderIndex) => {
    for (let i = 0; i < (perFolder[folderIndex] ?? 0); i++) {
      const format = formats[plans.length] ?? randomFormat(rng);
      const heavy = format.encoding !== 'jpeg' && format.encoding !== 'png' && format.encoding !== 'webp';
      const wide = plans.length === 0 && originals >= 6;
      const long = Math.min(wide ? 2048 : rng.weighted(LONG_SIDES), heavy ? 768 : Infinity);
      const { width, height } = sizeOf(long, wide ? 21 / 9 : rng.weighted(ASPECTS));
      plans.push({
        path: `${nameFor(concept)}.${format.ext}`,
        concept,
        encoding: format.encoding,
        width,
        height,
        alpha: format.alpha,
        quality: rng.int(86, 96),
        drawSeed: rng.int(1, 0x7fffffff),
        fast: false,
      });
    }
  });

  const sources = plans.filter((plan) => !plan.alpha && ['jpeg', 'png', 'webp'].includes(plan.encoding));
  for (let i = 0; i < duplicates && sources.length > 0; i++) {
    const source = rng.pick(sources);
    const resized = rng.chance(0.5);
    const scale = resized ? rng.pick([0.5, 0.625, 0.75]) : 1;
    plans.push({
      ...source,
      path: `${nameFor(source.concept)}.jpg`,
      encoding: 'jpeg',
      width: Math.max(1, Math.round(source.width * scale)),
      height: Math.max(1, Math.round(source.height * scale)),
      quality: resized ? 90 : rng.int(55, 72),
      drawnAt: { width: source.width, height: source.height },
    });
  }
  return plans;
}

/** Benchmark images: all one size and format, spread over the concept folders. */
function planUniform(count: number, rng: Random, shape: UniformShape): ImagePlan[] {
  const digits = Math.max(4, String(count).length);
  const plans: ImagePlan[] = [];
  for (let i = 0; i < count; i++) {
    const concept = UNIFORM_CONCEPTS[i % UNIFORM_CONCEPTS.length] ?? ALICE;
    const name = `${concept.prefix}_${String(Math.floor(i / UNIFORM_CONCEPTS.length) + 1).padStart(digits, '0')}`;
    plans.push({
      path: `${concept.folder}/${name}.${shape.ext}`,
      concept,
      encoding: shape.encoding,
      width: shape.width,
      height: shape.height,
      alpha: false,
      quality: 90,
      drawSeed: rng.int(1, 0x7fffffff),
      fast: true,
    });
  }
  return plans;
}

type NameSource = () => string;

/** File stems in the style each folder's images would really have; unique within the folder. */
function nameSource(concept: Concept, rng: Random): NameSource {
  let n = 0;
  switch (concept) {
    case BOB: {
      let number = rng.int(1000, 8000);
      return () => `IMG_${(number += rng.int(1, 9))}`;
    }
    case FOREST:
      return () => `forest (${++n})`;
    case REGULARIZATION: {
      const used = new Set<string>();
      return () => {
        let name: string;
        do name = Array.from({ length: 12 }, () => '0123456789abcdef'[rng.int(0, 15)]).join('');
        while (used.has(name));
        used.add(name);
        return name;
      };
    }
    default:
      return () => `${concept.prefix}_${String(++n).padStart(3, '0')}`;
  }
}

/** Splits `total` by shares (largest remainder), at least one each when there are enough. */
function apportion(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const floor = total >= shares.length ? 1 : 0;
  const spare = total - floor * shares.length;
  const exact = shares.map((share) => (spare * share) / sum);
  const counts = exact.map((value) => floor + Math.floor(value));
  const order = exact
    .map((value, i) => [value - Math.floor(value), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let left = total - counts.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) {
    const index = order[k % order.length]?.[1] ?? 0;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

async function render(plan: ImagePlan, file: string): Promise<void> {
  let pipeline: Sharp;
  if (plan.fast) {
    pipeline = fastPicture(plan.width, plan.height, plan.drawSeed);
  } else {
    const size = plan.drawnAt ?? plan;
    const { data, info } = await drawPicture(size.width, size.height, plan.concept.palette, plan.drawSeed, plan.alpha);
    pipeline = sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } });
    if (plan.drawnAt) pipeline = pipeline.resize(plan.width, plan.height, { fit: 'fill' });
    if (!plan.alpha) pipeline = pipeline.removeAlpha();
  }
  if (plan.encoding === 'bmp') {
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    await writeFile(
      file,
      encodeBmp({ width: info.width, height: info.height, channels: info.channels === 4 ? 4 : 3, data }),
    );
    return;
  }
  await encoder(pipeline, plan).toFile(file);
}

function encoder(pipeline: Sharp, plan: ImagePlan): Sharp {
  switch (plan.encoding) {
    case 'png':
      return pipeline.png({ compressionLevel: plan.fast ? 1 : 6 });
    case 'webp':
      return pipeline.webp({ quality: plan.quality - 6, effort: plan.fast ? 0 : 3 });
    case 'gif':
      return pipeline.gif({ effort: plan.fast ? 1 : 4 });
    case 'tiff':
      return pipeline.tiff({ compression: 'lzw' });
    case 'avif':
      return pipeline.avif({ quality: plan.quality - 30, effort: plan.fast ? 0 : 2 });
    default:
      return pipeline.jpeg({ quality: plan.quality, optimiseCoding: !plan.fast });
  }
}

/** A gradient background, translucent shapes and fine grain, in a palette; transparent background when `alpha`. */
async function drawPicture(
  width: number,
  height: number,
  palette: readonly string[],
  seed: number,
  alpha: boolean,
): Promise<{ data: Buffer; info: OutputInfo }> {
  const rng = createRandom(seed);
  const colour = (): string => rng.pick(palette);
  const x = (): number => Math.round(rng.next() * width);
  const y = (): number => Math.round(rng.next() * height);
  const short = Math.min(width, height);
  const angle = rng.next() * Math.PI * 2;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><linearGradient id="bg" x1="${0.5 - Math.cos(angle) / 2}" y1="${0.5 - Math.sin(angle) / 2}" x2="${0.5 + Math.cos(angle) / 2}" y2="${0.5 + Math.sin(angle) / 2}">`,
    `<stop offset="0" stop-color="${colour()}"/><stop offset="${rng.next() * 0.6 + 0.2}" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient>`,
    `<radialGradient id="glow"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}" stop-opacity="0"/></radialGradient></defs>`,
  ];
  if (!alpha) parts.push(`<rect width="${width}" height="${height}" fill="url(#bg)"/>`);
  parts.push(`<circle cx="${x()}" cy="${y()}" r="${Math.round(short * (0.3 + rng.next() * 0.4))}" fill="url(#glow)"/>`);
  for (let i = rng.int(5, 12); i > 0; i--) {
    const style = `fill="${rng.chance(0.15) ? 'url(#bg)' : colour()}" fill-opacity="${(0.35 + rng.next() * 0.6).toFixed(2)}"`;
    const r = Math.round(short * (0.04 + rng.next() * 0.22));
    switch (rng.int(0, 4)) {
      case 0:
        parts.push(`<circle cx="${x()}" cy="${y()}" r="${r}" ${style}/>`);
        break;
      case 1:
        parts.push(
          `<ellipse cx="${x()}" cy="${y()}" rx="${r}" ry="${Math.round(r * (0.3 + rng.next()))}" transform="rotate(${rng.int(0, 179)} ${x()} ${y()})" ${style}/>`,
        );
        break;
      case 2:
        parts.push(
          `<rect x="${x()}" y="${y()}" width="${r * 2}" height="${Math.round(r * (0.5 + rng.next() * 2))}" rx="${Math.round(r * rng.next() * 0.3)}" transform="rotate(${rng.int(-30, 30)} ${x()} ${y()})" ${style}/>`,
        );
        break;
      case 3: {
        const cx = x();
        const cy = y();
        const corners = rng.int(3, 6);
        const points = Array.from({ length: corners }, (_, k) => {
          const a = (k / corners) * Math.PI * 2 + rng.next() * 0.5;
          return `${Math.round(cx + Math.cos(a) * r * 1.5)},${Math.round(cy + Math.sin(a) * r * 1.5)}`;
        });
        parts.push(`<polygon points="${points.join(' ')}" ${style}/>`);
        break;
      }
      default:
        parts.push(
          `<path d="M0 ${y()} Q ${x()} ${y()} ${width} ${y()}" fill="none" stroke="${colour()}" stroke-width="${Math.max(2, Math.round(r / 4))}" stroke-opacity="0.8"/>`,
        );
    }
  }
  parts.push('</svg>');
  const tile = Buffer.alloc(64 * 64 * 4);
  for (let i = 0; i < tile.length; i += 4) {
    const v = rng.int(0, 255);
    tile[i] = v;
    tile[i + 1] = v;
    tile[i + 2] = v;
    tile[i + 3] = 26;
  }
  return sharp(Buffer.from(parts.join('')))
    .composite([{ input: tile, raw: { width: 64, height: 64, channels: 4 }, tile: true, blend: 'atop' }])
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/** Cheap benchmark content: a gradient with discs and grain drawn at up to 512 px, scaled up by pixel repetition. */
function fastPicture(width: number, height: number, seed: number): Sharp {
  const rng = createRandom(seed);
  const factor = Math.max(1, Math.ceil(Math.max(width, height) / 512));
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const rgb = (): number[] => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  const [r0 = 0, g0 = 0, b0 = 0] = rgb();
  const [r1 = 0, g1 = 0, b1 = 0] = rgb();
  const discs = Array.from({ length: rng.int(2, 5) }, () => ({
    x: rng.next() * w,
    y: rng.next() * h,
    r: Math.min(w, h) * (0.08 + rng.next() * 0.25),
    colour: rgb(),
  }));
  const grain = grainTable();
  const grainShift = rng.int(0, 8191);
  const dx = rng.next() * 2 - 1;
  const dy = rng.next() * 2 - 1;
  const norm = Math.abs(dx) * w + Math.abs(dy) * h || 1;
  const data = new Uint8ClampedArray(w * h * 3);
  for (let py = 0; py < h; py++) {
    const row = py * w * 3;
    const shift = (grainShift + py * 7919) & 8191;
    const start = 0.5 + (dy * (py - h / 2) - (dx * w) / 2) / norm;
    const step = dx / norm;
    for (let px = 0, o = row; px < w; px++, o += 3) {
      const t = start + step * px;
      const n = grain[(shift + px) & 8191] ?? 0;
      data[o] = r0 + (r1 - r0) * t + n;
      data[o + 1] = g0 + (g1 - g0) * t + n;
      data[o + 2] = b0 + (b1 - b0) * t + n;
    }
    for (const {
      x,
      y,
      r,
      colour: [cr = 0, cg = 0, cb = 0],
    } of discs) {
      const off = py - y;
      if (off * off >= r * r) continue;
      const half = Math.sqrt(r * r - off * off);
      const last = Math.min(w - 1, Math.floor(x + half));
      for (let px = Math.max(0, Math.ceil(x - half)), o = row + px * 3; px <= last; px++, o += 3) {
        const n = grain[(shift + px) & 8191] ?? 0;
        data[o] = cr + n;
        data[o + 1] = cg + n;
        data[o + 2] = cb + n;
      }
    }
  }
  const pipeline = sharp(Buffer.from(data.buffer), { raw: { width: w, height: h, channels: 3 } });
  return w === width && h === height ? pipeline : pipeline.resize(width, height, { kernel: 'nearest', fit: 'fill' });
}

let grainCache: Int8Array | undefined;

/** 8192 values in [-16, 15], the same every run. */
function grainTable(): Int8Array {
  if (!grainCache) {
    const rng = createRandom(0x5eed);
    grainCache = new Int8Array(8192);
    for (let i = 0; i < grainCache.length; i++) grainCache[i] = rng.int(-16, 15);
  }
  return grainCache;
}

async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function stemOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
}

interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Whole number in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: small, fast, and the same on every platform. */
function createRandom(seed: number): Random {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('Cannot pick from nothing.');
      return items[int(0, items.length - 1)] as T;
    },
    weighted: <T>(items: ReadonlyArray<readonly [T, number]>): T => {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [item, weight] of items) if ((roll -= weight) < 0) return item;
      const last = items[items.length - 1];
      if (!last) throw new Error('Cannot pick from nothing.');
      return last[0];
    },
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        [items[i], items[j]] = [items[j] as T, items[i] as T];
      }
      return items;
    },
  };
}
