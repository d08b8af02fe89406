/**
 * The `<stem>.tagbench.json` sidecar: structured, schema-versioned metadata about one image, in
 * human-readable JSON beside it. `config/sidecar.schema.json` is its JSON Schema.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import schema from '../../../config/sidecar.schema.json' with { type: 'json' };
import { writeFileAtomic } from '../atomicWrite.ts';

/** Suffix of sidecar files: `a.png` -> `a.tagbench.json`. */
export const SIDECAR_SUFFIX = '.tagbench.json';

/** Sidecar files larger than this are refused rather than parsed. */
export const MAX_SIDECAR_BYTES = 16 * 1024 * 1024;

/** A tag's provenance. */
export interface SidecarTag {
  name: string;
  source: string;
  category?: string;
  confidence?: number;
  status?: 'accepted' | 'suggested' | 'rejected';
}

/** The sidecar's content (schema version 1). Unknown fields are kept as they are. */
export interface Sidecar {
  tagbench: 1;
  image: { sha256: string; file?: string };
  tags?: SidecarTag[];
  scores?: Record<string, { value: number; model?: string; at?: string }>;
  annotations?: unknown[];
  crop?: {
    state: 'none' | 'auto' | 'approved' | 'manual';
    rect?: { left: number; top: number; width: number; height: number };
  };
  recipes?: unknown[];
  relations?: unknown[];
  [key: string]: unknown;
}

/** A sidecar that cannot be used: the reason, in one sentence. */
export class SidecarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SidecarError';
  }
}

let compiled: ValidateFunction<Sidecar> | undefined;

/** The schema validator, compiled on first use (compiling costs milliseconds that activation need not pay). */
function validator(): ValidateFunction<Sidecar> {
  compiled ??= new Ajv({ allErrors: false, strict: false, validateFormats: false }).compile<Sidecar>(schema);
  return compiled;
}

/** Parses and validates sidecar bytes; throws SidecarError with the first thing wrong. */
export function parseSidecar(bytes: Uint8Array): Sidecar {
  if (bytes.length > MAX_SIDECAR_BYTES) {
    throw new SidecarError(
      `The sidecar is ${(bytes.length / 1e6).toFixed(1)} MB, over the ${MAX_SIDECAR_BYTES / 1024 / 1024} MB limit.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    const reason = err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message;
    throw new SidecarError(`The sidecar is not valid JSON: ${reason}.`);
  }
  const validate = validator();
  if (!validate(value)) {
    const first = validate.errors?.[0];
    const where = first?.instancePath ? `at ${first.instancePath}` : 'at the top level';
    throw new SidecarError(`The sidecar does not match schema version 1 ${where}: ${first?.message ?? 'invalid'}.`);
  }
  return value;
}

/** Serialises a sidecar as stable, human-readable JSON (two-space indent, trailing newline). */
export function formatSidecar(sidecar: Sidecar): string {
  return JSON.stringify(sidecar, null, 2) + '\n';
}

/** Whether a sidecar holds anything beyond the image identity (otherwise it need not exist). */
export function hasContent(sidecar: Sidecar): boolean {
  return Object.entries(sidecar).some(
    ([key, value]) =>
      key !== 'tagbench' && key !== 'image' && value !== undefined && !(Array.isArray(value) && value.length === 0),
  );
}

/** Writes a sidecar atomically; returns false without writing when it holds nothing worth keeping. */
export function writeSidecar(file: string, sidecar: Sidecar): boolean {
  if (!hasContent(sidecar)) return false;
  writeFileAtomic(file, formatSidecar(sidecar));
  return true;
}
