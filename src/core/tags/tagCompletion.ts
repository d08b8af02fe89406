/**
 * Tag completion: candidates for what the user is typing, from the dataset's own tags and an
 * optional tag database (tagcomplete CSV). Candidates come in tiers, exact key first, then tags
 * starting with the text, then aliases starting with it (offered as their target), then tags with a
 * later word starting with it; within a tier, tags used in the dataset come first by how many images
 * have them, then the database's by post count.
 *
 * Each source is a table of keys sorted once, with a max segment tree over the weights: a prefix is a
 * binary search for its range, and the k heaviest of that range come from a heap of sub-ranges, so a
 * query costs O(log n + k log n) whatever the size of the database.
 */
import { tagKey } from '../../shared/tags.ts';
import type { TagDatabase, TagDbEntry } from './tagcompleteCsv.ts';
import type { TagCategory } from '../../shared/tagCategory.ts';

/** One completion. */
export interface CompletionCandidate {
  /** The tag to insert: an alias's target, not the alias. */
  tag: string;
  /** Images in the dataset with the tag. */
  count: number;
  /** Posts with the tag in the database (0 when it is not there). */
  postCount: number;
  category?: TagCategory;
  /** The alias that matched, when the match came through one. */
  alias?: string;
  match: 'exact' | 'prefix' | 'alias' | 'word';
}

/** A tag the dataset uses and how many images have it. */
export interface DatasetTagCount {
  tag: string;
  count: number;
}

/** Where candidates come from. */
export interface CompleterSources {
  dataset?: readonly DatasetTagCount[];
  database?: TagDatabase;
}

/** Sorted keys with a max segment tree over their weights, for the heaviest keys starting with a prefix. */
class PrefixTable {
  readonly keys: string[];
  readonly items: Int32Array;
  private readonly weights: Float64Array;
  private readonly size: number;
  private readonly tree: Int32Array;

  constructor(rows: { key: string; item: number; weight: number }[]) {
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.weight - a.weight));
    this.keys = rows.map((r) => r.key);
    this.items = Int32Array.from(rows, (r) => r.item);
    this.weights = Float64Array.from(rows, (r) => r.weight);
    let size = 1;
    while (size < rows.length) size *= 2;
    this.size = size;
    this.tree = new Int32Array(2 * size).fill(-1);
    for (let i = 0; i < rows.length; i++) this.tree[size + i] = i;
    for (let i = size - 1; i >= 1; i--) this.tree[i] = this.heavier(this.tree[2 * i]!, this.tree[2 * i + 1]!);
  }

  /** The half-open index range of keys starting with `prefix`. */
  range(prefix: string): [number, number] {
    return [this.bound((k) => k < prefix), this.bound((k) => k < prefix || k.startsWith(prefix))];
  }

  /** Indices in [lo, hi) from the heaviest down, lazily. */
  *heaviest(lo: number, hi: number): Generator<number> {
    const heap: [number, number, number][] = [];
    const push = (l: number, h: number): void => {
      if (l >= h) return;
      heap.push([this.argmax(l, h), l, h]);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (this.weights[heap[parent]![0]]! >= this.weights[heap[i]![0]]!) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    };
    push(lo, hi);
    while (heap.length > 0) {
      const [top, l, h] = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          let best = i;
          for (const child of [2 * i + 1, 2 * i + 2])
            if (child < heap.length && this.weights[heap[child]![0]]! > this.weights[heap[best]![0]]!) best = child;
          if (best === i) break;
          [heap[best], heap[i]] = [heap[i]!, heap[best]!];
          i = best;
        }
      }
      yield top;
      push(l, top);
      push(top + 1, h);
    }
  }

  private argmax(lo: number, hi: number): number {
    let best = -1;
    for (let l = lo + this.size, h = hi + this.size; l < h; l >>= 1, h >>= 1) {
      if (l & 1) best = this.heavier(best, this.tree[l++]!);
      if (h & 1) best = this.heavier(best, this.tree[--h]!);
    }
    return best;
  }

  private heavier(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    return this.weights[b]! > this.weights[a]! || (this.weights[b] === this.weights[a] && b < a) ? b : a;
  }

  private bound(before: (key: string) => boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.keys[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A source's tables: names, aliases (item = alias index) and later words. */
interface SourceIndex {
  names: PrefixTable;
  aliases: PrefixTable;
  words: PrefixTable;
  aliasList: { alias: string; target: number }[];
}

interface Tag {
  name: string;
  key: string;
  weight: number;
  aliases: readonly string[];
}

const databaseIndexes = new WeakMap<TagDatabase, { tags: Tag[]; index: SourceIndex; byKey: Map<string, TagDbEntry> }>();

/** Completes tags from the dataset's counts and an optional tag database. Build one per change of the dataset's counts. */
export class TagCompleter {
  private readonly datasetTags: Tag[];
  private readonly dataset: SourceIndex;
  private readonly datasetCounts: Map<string, number>;
  private readonly database: { tags: Tag[]; index: SourceIndex; byKey: Map<string, TagDbEntry> } | undefined;

  constructor(sources: CompleterSources = {}) {
    const merged = new Map<string, { name: string; count: number; best: number }>();
    for (const { tag, count } of sources.dataset ?? []) {
      const key = tagKey(tag);
      if (key === '') continue;
      const entry = merged.get(key);
      if (!entry) merged.set(key, { name: tag, count, best: count });
      else {
        entry.count += count;
        if (count > entry.best) Object.assign(entry, { name: tag, best: count });
      }
    }
    this.datasetTags = [...merged].map(([key, e]) => ({ name: e.name, key, weight: e.count, aliases: [] }));
    this.datasetCounts = new Map(this.datasetTags.map((t) => [t.key, t.weight]));
    this.dataset = buildIndex(this.datasetTags);
    this.database = sources.database ? databaseIndex(sources.database) : undefined;
  }

  /** Up to `limit` candidates for the text typed so far (an empty text gives the most used tags). */
  complete(text: string, limit = 20): CompletionCandidate[] {
    const key = tagKey(text) + (/[\s_]$/.test(text) && tagKey(text) !== '' ? ' ' : '');
    const out: CompletionCandidate[] = [];
    const seen = new Set<string>();
    const add = (name: string, match: CompletionCandidate['match'], alias?: string): boolean => {
      const k = tagKey(name);
      if (seen.has(k)) return out.length < limit;
      seen.add(k);
      const entry = this.database?.byKey.get(k);
      out.push({
        tag: entry && !this.datasetCounts.has(k) ? entry.name : name,
        count: this.datasetCounts.get(k) ?? 0,
        postCount: entry?.count ?? 0,
        ...(entry ? { category: entry.category } : {}),
        ...(alias !== undefined ? { alias } : {}),
        match,
      });
      return out.length < limit;
    };
    if (limit <= 0) return out;
    const sources = [{ tags: this.datasetTags, index: this.dataset }, ...(this.database ? [this.database] : [])];
    if (key !== '') {
      for (const { tags, index } of sources) {
        const [lo, hi] = index.names.range(key);
        if (lo < hi && index.names.keys[lo] === key && !add(tags[index.names.items[lo]!]!.name, 'exact')) return out;
        const [alo, ahi] = index.aliases.range(key);
        if (alo < ahi && index.aliases.keys[alo] === key) {
          const alias = index.aliasList[index.aliases.items[alo]!]!;
          if (!add(tags[alias.target]!.name, 'exact', alias.alias)) return out;
        }
      }
    }
    for (const [table, match] of [
      ['names', 'prefix'],
      ['aliases', 'alias'],
      ['words', 'word'],
    ] as const) {
      if (key === '' && table !== 'names') break;
      for (const { tags, index } of sources) {
        const [lo, hi] = index[table].range(key);
        for (const row of index[table].heaviest(lo, hi)) {
          const item = index[table].items[row]!;
          const more =
            table === 'aliases'
              ? add(tags[index.aliasList[item]!.target]!.name, match, index.aliasList[item]!.alias)
              : add(tags[item]!.name, match);
          if (!more) return out;
        }
      }
    }
    return out;
  }
}

function databaseIndex(db: TagDatabase): { tags: Tag[]; index: SourceIndex; byKey: Map<string, TagDbEntry> } {
  const cached = databaseIndexes.get(db);
  if (cached) return cached;
  const byKey = new Map<string, TagDbEntry>();
  const tags: Tag[] = [];
  for (const entry of db.entries) {
    const key = tagKey(entry.name);
    if (byKey.has(key)) continue;
    byKey.set(key, entry);
    tags.push({ name: entry.name, key, weight: entry.count, aliases: entry.aliases });
  }
  const built = { tags, index: buildIndex(tags), byKey };
  databaseIndexes.set(db, built);
  return built;
}

function buildIndex(tags: readonly Tag[]): SourceIndex {
  const names: { key: string; item: number; weight: number }[] = [];
  const words: { key: string; item: number; weight: number }[] = [];
  const aliasRows: { key: string; item: number; weight: number }[] = [];
  const aliasList: { alias: string; target: number }[] = [];
  tags.forEach((tag, item) => {
    names.push({ key: tag.key, item, weight: tag.weight });
    for (let i = tag.key.indexOf(' '); i >= 0; i = tag.key.indexOf(' ', i + 1)) {
      if (i + 1 < tag.key.length) words.push({ key: tag.key.slice(i + 1), item, weight: tag.weight });
    }
    for (const alias of tag.aliases) {
      const key = tagKey(alias);
      if (key === '' || key === tag.key) continue;
      aliasRows.push({ key, item: aliasList.length, weight: tag.weight });
      aliasList.push({ alias, target: item });
    }
  });
  return {
    names: new PrefixTable(names),
    aliases: new PrefixTable(aliasRows),
    words: new PrefixTable(words),
    aliasList,
  };
}
