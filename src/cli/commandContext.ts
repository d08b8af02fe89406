/**
 * Command-line arguments for one command, and where its output goes. Arguments are split by hand:
 * `--name` and `--name VALUE` are options, everything else is positional, so query terms such as
 * `-solo` or `-has:caption` need no quoting. `--` ends the options.
 */
import { UsageError } from './cliError.ts';
import type { DatasetSettings } from '../core/dataset/datasetSettings.ts';

/** Options that take a value, and flags that do not. */
const VALUE_OPTIONS = new Set([
  'limit',
  'offset',
  'concurrency',
  'caption-ext',
  'thumb-size',
  'max-files',
  'max-pixels',
  'crop',
  'resize',
  'mode',
  'upscale',
  'upscale-to',
  'models',
  'workers',
  'out',
  'format',
  'query',
  'project',
  'name',
  'repeats',
  'resolution',
  'trigger',
  'class-tokens',
  'blacklist',
  'test-split',
  'paths',
  'separator',
  'flatten',
  'tagger',
  'scorer',
  'general',
  'character',
  'batch-size',
  'merge',
  'provider',
  'model',
  'base-url',
  'style',
  'template',
  'max-side',
  'rpm',
  'exclude',
  'poll-seconds',
  'to',
  'min',
  'below',
  'wait',
]);
const FLAG_OPTIONS = new Set([
  'json',
  'debug',
  'force',
  'no-thumbs',
  'help',
  'keep-underscores',
  'no-escape',
  'retry-failed',
  'keep-metadata',
  'batch',
  'skip-refused',
  'estimate',
  'dry-run',
]);

/** Parsed arguments plus output helpers for one command. */
export class CommandContext {
  readonly command: string;
  private readonly positionals: string[] = [];
  private readonly values = new Map<string, string>();
  private readonly flags = new Set<string>();
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;

  constructor(command: string, args: readonly string[], out: (line: string) => void, err: (line: string) => void) {
    this.command = command;
    this.out = out;
    this.err = err;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--') {
        this.positionals.push(...args.slice(i + 1));
        break;
      }
      if (arg === '-h') {
        this.flags.add('help');
        continue;
      }
      if (!arg.startsWith('--')) {
        this.positionals.push(arg);
        continue;
      }
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (FLAG_OPTIONS.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value.`);
        this.flags.add(name);
      } else if (VALUE_OPTIONS.has(name)) {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value.`);
        this.values.set(name, value);
      } else {
        throw new UsageError(`Unknown option ${arg.slice(0, eq < 0 ? undefined : eq)}; see "tagbench --help".`);
      }
    }
  }

  /** Whether a flag was given. */
  flag(name: string): boolean {
    return this.flags.has(name);
  }

  /** A string option. */
  string(name: string): string | undefined {
    return this.values.get(name);
  }

  /** A whole-number option (>= 0). */
  number(name: string): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number, not "${raw}".`);
    return value;
  }

  /** One of a fixed set of values (or the default when absent). */
  choice<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    if (!values.includes(raw as T))
      throw new UsageError(`--${name} must be one of ${values.join(', ')}, not "${raw}".`);
    return raw as T;
  }

  /** A number within [min, max] (decimals allowed). */
  decimal(name: string, min: number, max: number): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new UsageError(`--${name} must be a number from ${min} to ${max}, not "${raw}".`);
    return value;
  }

  /** A required positional argument. */
  positional(index: number, name: string): string {
    const value = this.positionals[index];
    if (value === undefined) throw new UsageError(`"tagbench ${this.command}" needs ${name}; see "tagbench --help".`);
    return value;
  }

  /** All positional arguments from `index` on. */
  rest(index: number): string[] {
    return this.positionals.slice(index);
  }

  /** Fails on positional arguments beyond the first `count`. */
  noMorePositionals(count: number): void {
    if (this.positionals.length > count)
      throw new UsageError(`Unexpected argument "${this.positionals[count]}" for "tagbench ${this.command}".`);
  }

  /** Dataset settings given on the command line. */
  settingsOverrides(): Partial<DatasetSettings> {
    const overrides: Partial<DatasetSettings> = {};
    const captionExt = this.string('caption-ext');
    if (captionExt !== undefined)
      overrides.captionExtension = captionExt.startsWith('.') ? captionExt : `.${captionExt}`;
    const thumb = this.number('thumb-size');
    if (thumb !== undefined) overrides.thumbnailSize = thumb;
    const maxFiles = this.number('max-files');
    if (maxFiles !== undefined) overrides.maxFiles = maxFiles;
    const maxPixels = this.number('max-pixels');
    if (maxPixels !== undefined) overrides.maxPixels = maxPixels;
    return overrides;
  }
}
