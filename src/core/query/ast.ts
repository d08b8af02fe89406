/** The parsed form of a search query. Every node keeps the span of query text it came from. */
import type { SortKey } from '../../shared/sortKeys.ts';

/** Where a node came from in the query text: 0-based offset and length. */
export interface Span {
  position: number;
  length: number;
}

/** Result order: by `key`, then by image id, both reversed when `descending`. */
export interface SortSpec {
  key: SortKey;
  descending: boolean;
}

/** Comparison operators of numeric fields (`:` is parsed as `=`). */
export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** Numeric fields: `width`, `height`, `pixels`, `aspect` (width / height) and `tags` (tag count). */
export type NumericField = 'width' | 'height' | 'pixels' | 'aspect' | 'tags';

/** A tag matched by key (see tagKey): `blue_eyes`, `kiyohime_(fate)`. */
export interface TagNode extends Span {
  type: 'tag';
  key: string;
}

/** A tag key pattern: `long_*` is `['long ', '']`, the literal pieces between the wildcards. */
export interface TagPatternNode extends Span {
  type: 'tagPattern';
  parts: string[];
}

/** Caption text search: `"a phrase"` or `caption:word`; `prefix` for `caption:word*`. */
export interface TextNode extends Span {
  type: 'text';
  text: string;
  prefix: boolean;
}

/** `width>=1024`, `pixels<1m`, `aspect>1.5`, `tags>30`. */
export interface CompareNode extends Span {
  type: 'compare';
  field: NumericField;
  op: CompareOp;
  value: number;
}

/** `aspect:portrait` (width < height), `landscape` (width > height) or `square` (width = height). */
export interface ShapeNode extends Span {
  type: 'shape';
  shape: 'portrait' | 'landscape' | 'square';
}

/** `ext:png`; the extension is stored normalised (`jpeg` as `jpg`, `tif` as `tiff`). */
export interface ExtNode extends Span {
  type: 'ext';
  ext: string;
}

/** `folder:10_alice`: a folder of that (lower-cased) name at any level of the image's path. */
export interface FolderNode extends Span {
  type: 'folder';
  name: string;
}

/**
 * `has:caption`: the caption has at least one tag or phrase (tag count > 0). A missing, unreadable,
 * empty or blank caption file (only whitespace and commas) counts as no caption: it trains nothing.
 */
export interface HasCaptionNode extends Span {
  type: 'hasCaption';
}

/** `model:wd-vit-tagger-v3` or `model:openai:gpt-4.1-mini`: images that model annotated (lower-cased). */
export interface ModelNode extends Span {
  type: 'model';
  name: string;
}

/** `score>=6`: images a scorer gave a score in that range. */
export interface ScoreNode extends Span {
  type: 'score';
  op: CompareOp;
  value: number;
}

/** `suggested:smile`: a model suggested the tag and it awaits review; `has:suggestions` (key null): any tag does. */
export interface SuggestedNode extends Span {
  type: 'suggested';
  key: string | null;
}

/** `-term`, `-( ... )`. */
export interface NotNode extends Span {
  type: 'not';
  child: QueryNode;
}

/** Terms side by side, or joined by `OR`. */
export interface BoolNode extends Span {
  type: 'and' | 'or';
  children: QueryNode[];
}

/** Any filter node. */
export type QueryNode =
  | TagNode
  | TagPatternNode
  | TextNode
  | CompareNode
  | ShapeNode
  | ExtNode
  | FolderNode
  | HasCaptionNode
  | ModelNode
  | ScoreNode
  | SuggestedNode
  | NotNode
  | BoolNode;

/** A whole query: `filter` is null when it matches every image. */
export interface QueryAst {
  filter: QueryNode | null;
  sort: SortSpec;
}
