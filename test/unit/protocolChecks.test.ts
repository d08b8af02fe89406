/**
 * The checks of what webviews send, through the real RPC layer: messages arrive as JSON text parsed
 * by the host (JSON.parse makes `__proto__` an own key), and a refused message never reaches its handler.
 */
import assert from 'node:assert/strict';
import { RpcEndpoint } from '../../src/protocol/rpc.ts';
import type { ProtocolSide, WireMessage } from '../../src/protocol/rpc.ts';
import { galleryRequestChecks } from '../../src/protocol/galleryProtocol.ts';
import { editorRequestChecks } from '../../src/protocol/editorProtocol.ts';
import type { Check } from '../../src/protocol/validate.ts';
import { obj, optional, str } from '../../src/protocol/validate.ts';

/** A valid message of each kind a webview sends, as JSON text (requests and notifications alike). */
const galleryMessages: Record<keyof typeof galleryRequestChecks, string> = {
  search: '{"query":"smile","offset":0,"limit":10}',
  tagFrequencies: '{"query":"","limit":10}',
  details: '{"id":1}',
  tagSuggestions: '{"prefix":"sm","limit":5}',
  fieldValues: '{"field":"folder","prefix":"10_","limit":5}',
  previewBatch:
    '{"selection":{"kind":"ids","ids":[1,2]},"action":{"kind":"replaceTag","find":"a","replace":"b","regex":false}}',
  applyBatch: '{"planId":"p1"}',
  undoBatch: '{}',
  redoBatch: '{}',
  openImage: '{"id":1,"query":""}',
  createProject: '{"name":"alice","selection":{"kind":"query","query":"smile","except":[]}}',
  ensureThumbnail: '{"id":3}',
  ready: '{}',
  viewState: '{"query":"","selected":[1],"scrollTop":0}',
};

const editorMessages: Record<keyof typeof editorRequestChecks, string> = {
  suggest: '{"prefix":"sm","limit":5}',
  navigate: '{"step":1}',
  ready: '{}',
  edit: '{"caption":"smile","label":"Add tag"}',
  crop: '{"state":"manual","rect":{"left":0,"top":0,"width":10,"height":10},"label":"Crop"}',
  review: '{"action":"accept","keys":["smile"]}',
};

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** `json` (an object) with `key` added at the top level and in every nested object. */
function withKeyEverywhere(json: string, key: string): string[] {
  const variants: string[] = [];
  const value = JSON.parse(json) as Record<string, unknown>;
  const paths: string[][] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    paths.push(path);
    for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(value, []);
  for (const path of paths) {
    // Text surgery keeps the key an own property the way a webview's JSON would carry it.
    const copy = structuredClone(value);
    let target: Record<string, unknown> = copy;
    for (const part of path) target = target[part] as Record<string, unknown>;
    target['\u0000marker'] = 1;
    variants.push(JSON.stringify(copy).replace('"\\u0000marker":1', `${JSON.stringify(key)}:{"polluted":true}`));
  }
  return variants;
}

/** A host end with a handler per check, and a way to feed it JSON text as a webview would. */
function hostWith(checks: Record<string, Check>): {
  send: (method: string, json: string) => Promise<{ handled: boolean; error?: string }>;
} {
  const sent: WireMessage[] = [];
  const host = new RpcEndpoint<ProtocolSide, ProtocolSide>((m) => sent.push(m));
  const handled: string[] = [];
  for (const [method, check] of Object.entries(checks)) {
    host.handle(
      method,
      (params) => {
        handled.push(method);
        return params as never;
      },
      check,
    );
  }
  let id = 0;
  return {
    async send(method, json) {
      handled.length = 0;
      sent.length = 0;
      const text = `{"rpc":"request","id":${++id},"method":${JSON.stringify(method)},"params":${json}}`;
      host.receive(JSON.parse(text));
      await new Promise((resolve) => setImmediate(resolve));
      const reply = sent[0];
      assert.ok(reply, `no reply to ${method}`);
      return { handled: handled.includes(method), ...(reply.rpc === 'error' ? { error: reply.error.message } : {}) };
    },
  };
}

describe('protocol checks of webview messages', () => {
  for (const [name, checks, messages] of [
    ['gallery', galleryRequestChecks, galleryMessages],
    ['editor', editorRequestChecks, editorMessages],
  ] as const) {
    it(`accepts valid ${name} messages of every kind`, async () => {
      const host = hostWith(checks);
      for (const [method, json] of Object.entries(messages)) {
        const reply = await host.send(method, json);
        assert.equal(reply.error, undefined, `${method}: ${reply.error}`);
        assert.ok(reply.handled, method);
      }
    });

    it(`refuses ${name} messages with a prototype key (own, from JSON) at any depth, before its handler runs`, async () => {
      const host = hostWith(checks);
      for (const [method, json] of Object.entries(messages)) {
        for (const key of PROTOTYPE_KEYS) {
          for (const variant of withKeyEverywhere(json, key)) {
            const reply = await host.send(method, variant);
            assert.ok(!reply.handled, `${method} ran with ${variant}`);
            assert.match(reply.error ?? '', new RegExp(`unexpected field "${key}"`), `${method}: ${variant}`);
          }
        }
      }
    });
  }

  it('reads only own fields: an absent field is absent, not what Object.prototype has under its name', () => {
    const check = obj({ toString: optional(str(10)) });
    assert.equal(check(JSON.parse('{}')), undefined);
    assert.equal(check(JSON.parse('{"toString":"own"}')), undefined);
    assert.equal(check(JSON.parse('{"toString":1}')), 'toString must be a string');
  });

  it('refuses objects that are not plain (class instances, arrays)', () => {
    const check = obj({});
    assert.match(check(new Date()) ?? '', /must be an object/);
    assert.match(check([]) ?? '', /must be an object/);
    assert.equal(check(Object.create(null) as unknown), undefined);
  });
});
