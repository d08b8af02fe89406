/** The packaged .vsix the VS Code tests install: rebuilt once per test run when anything it is made from changed. */
import { hostTarget, packageExtension } from '../../.ci/vsixPackager.ts';

/** The .vsix for this machine, packaged first if missing or stale. */
export function freshVsix(log: (line: string) => void = console.log): string {
  const result = packageExtension(hostTarget(), log, { ifStale: true });
  const size = `${(result.bytes / 1024 / 1024).toFixed(1)} MB`;
  log(
    result.rebuilt
      ? `package: ${result.vsix} (${size}) in ${(result.durationMs / 1000).toFixed(1)} s`
      : `package: ${result.vsix} (${size}) is up to date`,
  );
  return result.vsix;
}
