import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HELPER = fileURLToPath(new URL('../helpers/peakRss.ts', import.meta.url));

describe('peak RSS of a child process (the measure behind the memory tests and benchmarks)', function () {
  this.timeout(30_000);

  it("is the child's own, not the large parent's it was spawned from", () => {
    // The parent holds 400 MB resident while it spawns the child.
    const big = Buffer.alloc(400 * 1024 * 1024, 1);
    const script = `import { peakRssMb } from ${JSON.stringify(HELPER)}; console.log(JSON.stringify({ own: peakRssMb(), inherited: process.resourceUsage().maxRSS / 1024 }));`;
    const { own, inherited } = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as { own: number; inherited: number };
    assert.ok(big[big.length - 1] === 1);
    assert.ok(inherited > 400, `resourceUsage().maxRSS carries the parent's ${inherited.toFixed(0)} MB over exec`);
    assert.ok(own < 150, `the child's own peak: ${own.toFixed(0)} MB`);
  });
});
