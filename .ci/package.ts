/**
 * `npm run package [-- --target T]`: production build and a per-platform .vsix in out/
 * (`out/tagbench-linux-x64.vsix` on this machine). See vsixPackager.ts for how.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { hostTarget, packageExtension, REPO, SUPPORTED_TARGETS } from './vsixPackager.ts';

const { values } = parseArgs({ options: { target: { type: 'string', default: hostTarget() } } });
const target = values.target;
if (!SUPPORTED_TARGETS.includes(target)) {
  console.error(`Unknown target ${target}; the targets are ${SUPPORTED_TARGETS.join(', ')}.`);
  process.exit(2);
}
try {
  const result = packageExtension(target);
  const megabytes = (result.bytes / 1024 / 1024).toFixed(1);
  console.log(
    `package: ${relative(REPO, result.vsix)} (${megabytes} MB) in ${(result.durationMs / 1000).toFixed(1)} s`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
