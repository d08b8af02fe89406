import assert from 'node:assert/strict';
import { lstatSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CaptionDecodeError,
  decodeCaption,
  decodeCaptionExact,
  encodeCaption,
  encodeCaptionExact,
  writeCaptionFile,
} from '../../src/core/caption/captionFile.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('caption files', () => {
  after(removeTempDirs);

  it('decodes UTF-8 with a BOM and CRLF, and encodes back to the same bytes', () => {
    const bytes = Buffer.from('\uFEFF1girl, solo, kiyohime \\(fate\\)\r\nsecond line\r\n', 'utf8');
    const caption = decodeCaption(bytes);
    assert.equal(caption.text, '1girl, solo, kiyohime \\(fate\\)\nsecond line\n');
    assert.equal(caption.bom, true);
    assert.equal(caption.eol, '\r\n');
    assert.deepEqual(encodeCaption(caption), bytes);
  });

  it('decodes plain LF UTF-8 without a BOM', () => {
    const caption = decodeCaption(Buffer.from('café, 名前\n'));
    assert.deepEqual(caption, { text: 'café, 名前\n', bom: false, eol: '\n' });
  });

  it('rejects invalid UTF-8 with the offset of the first bad byte', () => {
    assert.throws(
      () => decodeCaption(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2c])),
      (err: Error) => {
        assert.ok(err instanceof CaptionDecodeError);
        assert.match(err.message, /not valid UTF-8.*offset 3/);
        return true;
      },
    );
  });

  it('rejects UTF-16 captions with advice', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('smile', 'utf16le')]);
    assert.throws(() => decodeCaption(utf16), /UTF-16/);
  });

  it('never rewrites an unchanged caption, and keeps BOM and CRLF when it changes', () => {
    const dir = makeTempDir();
    const file = join(dir, 'a.txt');
    const original = Buffer.from('\uFEFFsmile, solo\r\n', 'utf8');
    writeFileSync(file, original);
    const before = statSync(file);
    assert.equal(writeCaptionFile(file, 'smile, solo\n'), false);
    assert.deepEqual(readFileSync(file), original);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
    assert.equal(statSync(file).ino, before.ino);

    assert.equal(writeCaptionFile(file, 'smile, solo, blue eyes\n'), true);
    assert.deepEqual(readFileSync(file), Buffer.from('\uFEFFsmile, solo, blue eyes\r\n', 'utf8'));
    assert.deepEqual(readdirSync(dir), ['a.txt'], 'no temporary file is left behind');
  });

  it('writes a new caption in the requested style', () => {
    const dir = makeTempDir();
    const file = join(dir, 'new.txt');
    assert.equal(writeCaptionFile(file, 'a, b', { bom: false, eol: '\n' }), true);
    assert.equal(readFileSync(file, 'utf8'), 'a, b');
  });

  it('decodes and encodes mixed CRLF and LF line endings byte for byte', () => {
    const bytes = Buffer.from('\uFEFFa, b\r\nc\nd\r\n', 'utf8');
    const exact = decodeCaptionExact(bytes);
    assert.deepEqual(exact, { raw: 'a, b\r\nc\nd\r\n', bom: true });
    assert.deepEqual(encodeCaptionExact(exact), bytes);
    assert.equal(decodeCaption(bytes).text, 'a, b\nc\nd\n');
  });

  it("keeps each line's own ending when one line of a mixed caption changes", () => {
    const dir = makeTempDir();
    const file = join(dir, 'mixed.txt');
    writeFileSync(file, 'alice, smile\r\nbob\nsky\r\n');
    assert.equal(writeCaptionFile(file, 'alice, smile\nbob, beard\nsky\n'), true);
    assert.equal(readFileSync(file, 'utf8'), 'alice, smile\r\nbob, beard\nsky\r\n');
    assert.equal(writeCaptionFile(file, 'alice, smile\nbob, beard\nsky\nnew line\n'), true);
    assert.equal(
      readFileSync(file, 'utf8'),
      'alice, smile\r\nbob, beard\nsky\r\nnew line\r\n',
      "a new line ends as the file's first line does",
    );
  });

  it('writes the target of a symbolic link, which stays a link', () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'real.txt'), 'alice\n');
    symlinkSync('real.txt', join(dir, 'link.txt'));
    assert.equal(writeCaptionFile(join(dir, 'link.txt'), 'alice, smile\n'), true);
    assert.ok(lstatSync(join(dir, 'link.txt')).isSymbolicLink());
    assert.equal(readlinkSync(join(dir, 'link.txt')), 'real.txt');
    assert.equal(readFileSync(join(dir, 'real.txt'), 'utf8'), 'alice, smile\n');
    assert.deepEqual(readdirSync(dir).sort(), ['link.txt', 'real.txt'], 'no temporary file is left behind');
  });
});
