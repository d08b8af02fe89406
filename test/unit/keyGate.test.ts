import assert from 'node:assert/strict';
import { AnnotationError } from '../../src/core/annotate/annotator.ts';
import type { AnnotationResult } from '../../src/core/annotate/annotator.ts';
import { KeyGate } from '../../src/core/annotate/cloud/keyGate.ts';

const RESULT: AnnotationResult = {
  model: 'm',
  version: 'v',
  kind: 'tags',
  params: {},
  at: new Date(0).toISOString(),
  tags: [],
};

/** A call the test finishes by hand, recording when it was sent. */
class Calls {
  readonly sent: string[] = [];
  private readonly pending = new Map<string, (outcome: AnnotationResult | AnnotationError) => void>();

  call(name: string): () => Promise<AnnotationResult | AnnotationError> {
    return () =>
      new Promise((resolve) => {
        this.sent.push(name);
        this.pending.set(name, resolve);
      });
  }

  finish(name: string, outcome: AnnotationResult | AnnotationError): void {
    const resolve = this.pending.get(name);
    assert.ok(resolve, `${name} was not sent`);
    this.pending.delete(name);
    resolve(outcome);
  }
}

/** Lets every settled promise run its continuations. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the key gate of a cloud run', () => {
  it('sends one request until the provider answers it, then the rest at once', async () => {
    const gate = new KeyGate();
    const calls = new Calls();
    const runs = ['a', 'b', 'c'].map((name) => gate.send(calls.call(name)));
    await settle();
    assert.deepEqual(calls.sent, ['a']);
    calls.finish('a', new AnnotationError('rate-limit', 'slow down'));
    await settle();
    assert.deepEqual(calls.sent, ['a', 'b', 'c'], 'a rate limit is an answer to a key it accepted');
    calls.finish('b', RESULT);
    calls.finish('c', RESULT);
    assert.deepEqual(
      (await Promise.all(runs)).map((r) => (r instanceof AnnotationError ? r.failure : 'ok')),
      ['rate-limit', 'ok', 'ok'],
    );
  });

  it('lets the next request try when the first got no answer about the key (server error, timeout)', async () => {
    const gate = new KeyGate();
    const calls = new Calls();
    const runs = ['a', 'b', 'c'].map((name) => gate.send(calls.call(name)));
    await settle();
    calls.finish('a', new AnnotationError('server', '503'));
    await settle();
    assert.deepEqual(calls.sent, ['a', 'b'], 'still one at a time');
    calls.finish('b', RESULT);
    await settle();
    assert.deepEqual(calls.sent, ['a', 'b', 'c']);
    calls.finish('c', RESULT);
    await Promise.all(runs);
  });

  it('sends nothing after a refusal: each waiting and later request gets the refusal', async () => {
    const gate = new KeyGate();
    const calls = new Calls();
    const runs = ['a', 'b', 'c'].map((name) => gate.send(calls.call(name)));
    await settle();
    calls.finish('a', new AnnotationError('auth', 'OpenAI 401 invalid_api_key', { retryable: false }));
    const later = await gate.send(calls.call('d'));
    const outcomes = [...(await Promise.all(runs)), later];
    assert.deepEqual(calls.sent, ['a']);
    for (const outcome of outcomes) {
      assert.ok(
        outcome instanceof AnnotationError &&
          outcome.failure === 'auth' &&
          outcome.message === 'OpenAI 401 invalid_api_key',
      );
    }
    assert.equal(gate.refused?.message, 'OpenAI 401 invalid_api_key');
  });

  it('stops a request waiting behind the first when its signal aborts, without sending it', async () => {
    const gate = new KeyGate();
    const calls = new Calls();
    const first = gate.send(calls.call('a'));
    const controller = new AbortController();
    const waiting = gate.send(calls.call('b'), controller.signal);
    await settle();
    controller.abort();
    const outcome = await waiting;
    assert.ok(outcome instanceof AnnotationError && outcome.name === 'AnnotationCancelled');
    calls.finish('a', RESULT);
    await first;
    assert.deepEqual(calls.sent, ['a']);
  });
});
