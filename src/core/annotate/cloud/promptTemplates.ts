/**
 * Prompt templates for cloud vision models, one per style (`tags`, `sentence`, `both`), built in
 * (`config/prompts.json`) or read from a user's file. Placeholders: `{{caption}}` (the current
 * caption) and `{{trigger}}` (the dataset's trigger word); `{{#name}}...{{/name}}` keeps its text
 * only when `name` is not empty. The model answers with JSON `{"tags": [...], "caption": "..."}`
 * following the style's JSON schema, parsed here into tags and caption.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import builtIn from './config/prompts.json' with { type: 'json' };
import { AnnotationError } from '../annotator.ts';
import type { TagScore } from '../annotator.ts';
import { tagKey, unescapeTag } from '../../../shared/tags.ts';

/** What the model is asked for: booru tags, a natural caption, or both. */
export type AnnotationStyle = 'tags' | 'sentence' | 'both';

/** The styles, in display order. */
export const ANNOTATION_STYLES: readonly AnnotationStyle[] = ['tags', 'sentence', 'both'];

/** A template ready to render: its id (`builtin:tags-v1`, `file:my-prompt.md`), style, text and a hash of the text. */
export interface PromptTemplate {
  id: string;
  style: AnnotationStyle;
  text: string;
  /** First 12 hex of the SHA-256 of the text: results record it, so an edited template shows. */
  hash: string;
}

/** Values for the placeholders. */
export interface PromptValues {
  caption?: string | null;
  trigger?: string | null;
}

/** The tags and caption a model returned. */
export interface ParsedAnnotation {
  tags?: TagScore[];
  caption?: string;
}

/** Template files larger than this are refused. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

const PLACEHOLDERS = new Set(['caption', 'trigger']);

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Checks a template's placeholders and sections; throws an Error naming the first unknown or unbalanced one. */
export function checkTemplate(text: string): void {
  const open: string[] = [];
  for (const match of text.matchAll(/\{\{\s*([#/]?)\s*([A-Za-z_][\w-]*)\s*\}\}/g)) {
    const [, sigil, name] = match as unknown as [string, string, string];
    if (!PLACEHOLDERS.has(name))
      throw new Error(
        `Unknown placeholder {{${sigil}${name}}} (known: ${[...PLACEHOLDERS].map((p) => `{{${p}}}`).join(', ')}).`,
      );
    if (sigil === '#') open.push(name);
    else if (sigil === '/' && open.pop() !== name) throw new Error(`{{/${name}}} closes no open {{#${name}}} section.`);
  }
  if (open.length > 0) throw new Error(`The section {{#${open[open.length - 1]}}} is never closed.`);
  if (text.trim() === '') throw new Error('The template is empty.');
}

/** A template from text (checked); `id` names where it came from. */
export function templateFromText(text: string, style: AnnotationStyle, id: string): PromptTemplate {
  checkTemplate(text);
  return { id, style, text, hash: hashText(text) };
}

/** The built-in template of a style. */
export function builtInTemplate(style: AnnotationStyle): PromptTemplate {
  const entry = (builtIn as Record<string, { id: string; text: string } | undefined>)[style];
  if (!entry) throw new Error(`No built-in prompt for style "${style}".`);
  return templateFromText(entry.text, style, entry.id);
}

/** A user's template file (UTF-8 text or Markdown); throws an Error saying what is wrong with it. */
export function loadTemplateFile(path: string, style: AnnotationStyle): PromptTemplate {
  const bytes = readFileSync(path);
  if (bytes.length > MAX_TEMPLATE_BYTES)
    throw new Error(`The prompt template ${basename(path)} is over ${MAX_TEMPLATE_BYTES / 1024} KB.`);
  try {
    return templateFromText(bytes.toString('utf8').replace(/^\uFEFF/, ''), style, `file:${basename(path)}`);
  } catch (err) {
    throw new Error(`The prompt template ${basename(path)} is not valid: ${(err as Error).message}`, { cause: err });
  }
}

/** The template for a style: the file at `path` when given, else the built-in one. */
export function resolveTemplate(style: AnnotationStyle, path?: string): PromptTemplate {
  return path ? loadTemplateFile(path, style) : builtInTemplate(style);
}

/** The prompt text with its sections and placeholders filled in. */
export function renderPrompt(template: PromptTemplate, values: PromptValues): string {
  const lookup = (name: string): string =>
    (name === 'caption' ? values.caption : name === 'trigger' ? values.trigger : '')?.trim() ?? '';
  let text = template.text;
  // Innermost sections first, so nested sections of different names work.
  const section = /\{\{\s*#\s*([\w-]+)\s*\}\}((?:(?!\{\{\s*#)[\s\S])*?)\{\{\s*\/\s*\1\s*\}\}/;
  for (let match = section.exec(text); match; match = section.exec(text)) {
    const [whole, name, body] = match as unknown as [string, string, string];
    text = text.slice(0, match.index) + (lookup(name) !== '' ? body : '') + text.slice(match.index + whole.length);
  }
  return text.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (_, name: string) => lookup(name));
}

/** The JSON schema of the answer for a style (strict: every property required, no others). */
export function responseSchema(style: AnnotationStyle): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  if (style !== 'sentence')
    properties.tags = {
      type: 'array',
      items: { type: 'string' },
      description: 'Danbooru-style tags, most important first.',
    };
  if (style !== 'tags') properties.caption = { type: 'string', description: 'A natural-language caption.' };
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** The name under which the schema is sent (OpenAI's json_schema.name, Anthropic's tool name). */
export function schemaName(style: AnnotationStyle): string {
  return `image_${style === 'both' ? 'tags_and_caption' : style === 'tags' ? 'tags' : 'caption'}`;
}

/** Tags as TagScores (category general, confidence 1): trimmed, unescaped, duplicates (by tag key) dropped, order kept. */
export function toTagScores(names: readonly string[]): TagScore[] {
  const seen = new Set<string>();
  const tags: TagScore[] = [];
  for (const raw of names) {
    const name = unescapeTag(raw.trim()).replace(/\s+/g, ' ');
    const key = tagKey(name);
    if (name === '' || seen.has(key)) continue;
    seen.add(key);
    tags.push({ name, category: 'general', confidence: 1 });
  }
  return tags;
}

function malformed(message: string): AnnotationError {
  return new AnnotationError('malformed', message);
}

/** The tags and caption in a parsed answer; throws AnnotationError('malformed') when the style's fields are missing or wrong. */
export function parseAnnotationValue(value: unknown, style: AnnotationStyle): ParsedAnnotation {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed('The model did not answer with a JSON object.');
  const obj = value as Record<string, unknown>;
  const parsed: ParsedAnnotation = {};
  if (style !== 'sentence') {
    let names = obj.tags;
    // Some models answer a comma-separated string despite the schema.
    if (typeof names === 'string') names = names.split(',');
    if (!Array.isArray(names) || !names.every((t) => typeof t === 'string'))
      throw malformed('The model\'s answer has no "tags" list of strings.');
    const tags = toTagScores(names as string[]);
    if (tags.length === 0) throw malformed('The model returned no tags.');
    parsed.tags = tags;
  }
  if (style !== 'tags') {
    const caption = typeof obj.caption === 'string' ? obj.caption.trim() : undefined;
    if (caption === undefined) throw malformed('The model\'s answer has no "caption" string.');
    if (caption === '') throw malformed('The model returned an empty caption.');
    parsed.caption = caption;
  }
  return parsed;
}

/** Parses a model's text answer (JSON, possibly inside a Markdown code fence); throws AnnotationError('malformed'). */
export function parseModelOutput(text: string | null | undefined, style: AnnotationStyle): ParsedAnnotation {
  if (text === null || text === undefined || text.trim() === '') throw malformed('The model returned no text.');
  let body = text.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(body);
  if (fence) body = fence[1]!;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // A JSON object with prose around it.
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    try {
      if (start < 0 || end <= start) throw new Error('no object');
      value = JSON.parse(body.slice(start, end + 1));
    } catch {
      throw malformed(
        `The model's answer is not JSON: ${JSON.stringify(body.slice(0, 120))}${body.length > 120 ? '...' : ''}`,
      );
    }
  }
  return parseAnnotationValue(value, style);
}
