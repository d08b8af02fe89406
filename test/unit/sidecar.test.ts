import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSidecar, parseSidecar, SidecarError, writeSidecar } from '../../src/core/sidecar/sidecar.ts';
import type { Sidecar } from '../../src/core/sidecar/sidecar.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const SHA = 'a'.repeat(64);

describe('sidecar files', () => {
  after(removeTempDirs);

  it('round-trips a full sidecar through its human-readable form', () => {
    const sidecar: Sidecar = {
      tagbench: 1,
      image: { sha256: SHA, file: 'a.png' },
      tags: [
        { name: 'smile', source: 'model:wd-v3', category: 'general', confidence: 0.93 },
        { name: 'alice', source: 'user' },
      ],
      scores: { aesthetic: { value: 6.2, model: 'clip-aesthetic' } },
      crop: { state: 'manual', rect: { left: 0, top: 10, width: 100, height: 80 } },
    };
    const text = formatSidecar(sidecar);
    assert.match(text, /^\{\n {2}"tagbench": 1,/);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(parseSidecar(Buffer.from(text)), sidecar);
  });

  for (const [name, text, pattern] of [
    ['not JSON', '{"tagbench": 1,', /not valid JSON/],
    ['an array', '[]', /schema version 1/],
    ['a wrong version', `{"tagbench": 2, "image": {"sha256": "${SHA}"}}`, /schema version 1/],
    ['a bad hash', '{"tagbench": 1, "image": {"sha256": "xyz"}}', /\/image\/sha256/],
    ['a bad crop state', `{"tagbench": 1, "image": {"sha256": "${SHA}"}, "crop": {"state": "maybe"}}`, /\/crop\/state/],
    ['deep nesting', '['.repeat(100000) + ']'.repeat(100000), /not valid JSON|schema/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /not valid JSON/],
  ] as const) {
    it(`rejects ${name} with a specific message`, () => {
      assert.throws(
        () => parseSidecar(typeof text === 'string' ? Buffer.from(text) : text),
        (err: Error) => {
          assert.ok(err instanceof SidecarError, `got ${err.name}: ${err.message}`);
          assert.match(err.message, pattern);
          return true;
        },
      );
    });
  }

  it('keeps a __proto__ key as data without touching prototypes', () => {
    const parsed = parseSidecar(
      Buffer.from(`{"tagbench": 1, "image": {"sha256": "${SHA}"}, "__proto__": {"polluted": true}}`),
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  });

  it('is written only when it holds something', () => {
    const dir = makeTempDir();
    const file = join(dir, 'a.tagbench.json');
    assert.equal(writeSidecar(file, { tagbench: 1, image: { sha256: SHA }, tags: [] }), false);
    assert.equal(existsSync(file), false);
    assert.equal(writeSidecar(file, { tagbench: 1, image: { sha256: SHA }, crop: { state: 'auto' } }), true);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).crop.state, 'auto');
  });
});
