/**
 * Estimator files are untrusted input: truncated, corrupted and malicious
 * files give typed errors (never a TypeError, a stack overflow, a polluted
 * prototype or a half-built estimator), saying where the problem is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrugalError, LogisticRegression, ParseError, Ridge, SVC, StandardScaler, ValueError, makePipeline, manualSeed, modelFromBytes, modelToBytes } from '../src/index.js';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.js';
import { Linear } from '../src/nn/index.js';
import { estimatorFromBytes, estimatorToBytes } from '../src/persist/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { dataFor } from './helpers/persist.js';

const KEY = 'frugal.estimator';

type Doc = { format: string; version: number; root: Record<string, unknown> };

function fittedRidgeBytes(): Uint8Array {
  const { X, y } = dataFor('regressor');
  return estimatorToBytes(new Ridge({ alpha: 0.5 }).fit(X, y as number[]));
}

/** The file's document and tensors, to tamper with. */
function open(bytes: Uint8Array): { doc: Doc; tensors: Map<string, Tensor> } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return { doc: JSON.parse(metadata[KEY]), tensors };
}

function write(doc: unknown, tensors: Map<string, Tensor>): Uint8Array {
  return encodeSafetensors(tensors, { [KEY]: typeof doc === 'string' ? doc : JSON.stringify(doc) });
}

/** The file with its document changed by `edit`. */
function tampered(edit: (doc: Doc, tensors: Map<string, Tensor>) => unknown, bytes = fittedRidgeBytes()): Uint8Array {
  const { doc, tensors } = open(bytes);
  const replaced = edit(doc, tensors);
  return write(replaced === undefined ? doc : replaced, tensors);
}

function rejects(bytes: Uint8Array, pattern: RegExp, type: new (...a: never[]) => Error = ParseError): void {
  assert.throws(
    () => estimatorFromBytes(bytes),
    (e: unknown) => {
      assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
      assert.match((e as Error).message, pattern);
      return true;
    },
  );
}

const state = (doc: Doc): Record<string, unknown> => doc.root.state as Record<string, unknown>;

describe('estimator files: truncated and corrupted', () => {
  it('every truncation is a ParseError', () => {
    const bytes = fittedRidgeBytes();
    for (let n = 0; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 97))) {
      assert.throws(() => estimatorFromBytes(bytes.subarray(0, n)), ParseError, `truncated to ${n} bytes`);
    }
  });

  it('flipped bytes give a typed error or a loadable file, never anything else', () => {
    const bytes = fittedRidgeBytes();
    let state = 12345;
    for (let trial = 0; trial < 300; trial++) {
      const copy = bytes.slice();
      state = (state * 1103515245 + 12345) >>> 0;
      copy[state % copy.length] ^= 1 << (trial % 8);
      try {
        estimatorFromBytes(copy);
      } catch (err) {
        assert.ok(err instanceof FrugalError, `trial ${trial}: ${String(err)}`);
      }
    }
  });

  it('a Module file and a file from another tool are refused with what they hold', () => {
    manualSeed(0);
    rejects(modelToBytes(new Linear(2, 3)), /holds a neural network Module/);
    rejects(encodeSafetensors({ w: new Tensor(new Float32Array(2), [2]) }), /no estimator/);
    assert.throws(
      () => modelFromBytes(fittedRidgeBytes()),
      (e: unknown) => e instanceof FrugalError && /holds an estimator/.test((e as Error).message),
    );
  });

  it('a document that is not JSON, not an object, or of another format or version', () => {
    const { tensors } = open(fittedRidgeBytes());
    rejects(write('{"format": ', tensors), /not valid JSON/);
    rejects(write('[1, 2]', tensors), /must be a JSON object/);
    rejects(
      tampered((doc) => ({ ...doc, format: 'pickle' })),
      /format "pickle"/,
    );
    rejects(
      tampered((doc) => ({ ...doc, version: 2 })),
      /version 2 is not supported/,
    );
  });

  it('deep nesting is refused before parsing (no stack overflow)', () => {
    const { tensors } = open(fittedRidgeBytes());
    const deep = `{"format":"frugal-estimator","version":1,"root":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    rejects(write(deep, tensors), /nested more than/);
    // Under the JSON limit, but deeper than the value limit.
    const nested = (n: number): unknown => (n === 0 ? 1 : [nested(n - 1)]);
    rejects(
      tampered((doc) => {
        state(doc).extra = nested(70);
      }),
      /nested more than 64 levels/,
    );
  });
});

describe('estimator files: malicious documents', () => {
  it('an unknown class is named', () => {
    rejects(
      tampered((doc) => {
        doc.root.class = 'EvilEstimator';
      }),
      /unknown estimator class 'EvilEstimator'/,
    );
    rejects(
      tampered((doc) => {
        doc.root.class = 'Object';
      }),
      /unknown estimator class 'Object'/,
    );
  });

  it('__proto__ keys are refused and pollute nothing', () => {
    const polluted = (): boolean => ({}) instanceof Ridge || (Object.prototype as Record<string, unknown>).polluted !== undefined;
    const inState = write(fittedRidgeBytesText().replace('"state":{', '"state":{"__proto__":{"$":"obj","v":{"polluted":true}},'), open(fittedRidgeBytes()).tensors);
    rejects(inState, /'__proto__' is (reserved|not)/);
    const inObject = tampered((doc) => {
      state(doc).extra = { $: 'obj', v: JSON.parse('{"__proto__": {"polluted": true}}') };
    });
    rejects(inObject, /'__proto__' is not allowed/);
    const inParams = write(fittedRidgeBytesText().replace('"params":{', '"params":{"__proto__":{"$":"obj","v":{"polluted":true}},'), open(fittedRidgeBytes()).tensors);
    rejects(inParams, /'__proto__' is not allowed/);
    assert.equal(polluted(), false);
  });

  it('state fields cannot replace methods, accessors or the params', () => {
    for (const field of ['predict', 'fit', 'constructor', 'isFitted', 'toString', 'params', 'restoreTransientFields', 'not-a-name']) {
      rejects(
        tampered((doc) => {
          state(doc)[field] = 1;
        }),
        /reserved|defined by the class|not a valid field name/,
      );
    }
  });

  it('tensors: missing, unused, of the wrong dtype, shape or kind', () => {
    rejects(
      tampered((doc) => {
        state(doc).coef = { $: 'typed', kind: 'Float64Array', key: 'nope' };
      }),
      /does not hold/,
    );
    rejects(
      tampered((_doc, tensors) => {
        tensors.set('extra', new Tensor(new Float64Array(3), [3]));
      }),
      /never uses \(extra\)/,
    );
    rejects(
      tampered((doc, tensors) => {
        const key = (state(doc).coef as { key: string }).key;
        tensors.set(key, new Tensor(new Int32Array(tensors.get(key)!.size), [tensors.get(key)!.size]));
      }),
      /must be float64, is int32/,
    );
    rejects(
      tampered((doc, tensors) => {
        const key = (state(doc).coef as { key: string }).key;
        tensors.set(key, new Tensor(new Float64Array(6), [2, 3]));
      }),
      /must be 1-D/,
    );
    rejects(
      tampered((doc) => {
        state(doc).coef = { $: 'typed', kind: 'toString', key: 't0' };
      }),
      /unknown typed array kind "toString"/,
    );
    rejects(
      tampered((doc) => {
        state(doc).extra = { $: 'tensor', key: (state(doc).coef as { key: string }).key };
      }),
      /declared as Tensor here and as Float64Array elsewhere|declared as Float64Array here and as Tensor elsewhere/,
    );
  });

  it('small integer kinds refuse values they cannot hold', () => {
    rejects(
      tampered((doc, tensors) => {
        tensors.set('mask', new Tensor(Int32Array.of(1, 300), [2]));
        state(doc).mask = { $: 'typed', kind: 'Uint8Array', key: 'mask' };
      }),
      /holds 300, which a Uint8Array cannot/,
    );
  });

  it('malformed nodes: unknown type, extra fields, bad numbers, bad generator, bad references', () => {
    const cases: [unknown, RegExp][] = [
      [{ $: 'eval', v: 'process.exit(1)' }, /unknown node type "eval"/],
      [{ $: 'num', v: 'NaN', extra: 1 }, /has fields \$, v, extra/],
      [{ $: 'num', v: '1e400' }, /expected a number/],
      [{ $: 'gen', v: [0, 0, 0, 0, 0] }, /all-zero state is invalid/],
      [{ $: 'gen', v: [1, 2] }, /5 state numbers/],
      [{ $: 'ref', id: 42 }, /refers to estimator 42/],
      [{ $: 'map', v: [[1]] }, /\[key, value\] pair/],
      [{ v: 1 }, /expected a value node/],
    ];
    for (const [node, pattern] of cases) {
      rejects(
        tampered((doc) => {
          state(doc).extra = node;
        }),
        pattern,
      );
    }
  });

  it('an estimator referring to itself, and duplicate ids', () => {
    rejects(
      tampered((doc) => {
        state(doc).self = { $: 'ref', id: 0 };
      }),
      /from inside itself/,
    );
    const { X, y } = dataFor('classifier');
    const pipe = estimatorToBytes(makePipeline(new StandardScaler(), new LogisticRegression()).fit(X, y!));
    rejects(
      tampered((doc) => {
        const steps = (doc.root.params as { steps: [string, { id: number }][] }).steps;
        steps[1][1].id = steps[0][1].id;
      }, pipe),
      /is not a new integer/,
    );
    rejects(
      tampered((doc) => {
        (doc.root.params as { steps: [string, { id: number }][] }).steps[0][1].id = doc.root.id as number;
      }, pipe),
      /is not a new integer/,
    );
  });

  it('params the class refuses are a typed error naming the file position', () => {
    rejects(
      tampered((doc) => {
        (doc.root.params as Record<string, unknown>).alhpa = 1;
      }),
      /estimator file: root \(Ridge\).*alhpa/,
      ValueError,
    );
  });

  it('a state that does not fit together is refused at loading, not at predict', () => {
    rejects(
      tampered((doc) => {
        state(doc).intercept = 'not a number';
      }),
      /Ridge/,
      FrugalError,
    );
    rejects(
      tampered((doc, tensors) => {
        const key = (state(doc).coef as { key: string }).key;
        tensors.set(key, new Tensor(new Float64Array(1), [1]));
      }),
      /Ridge/,
      FrugalError,
    );
  });

  it('a fitted flag without the state, or a feature count that is not one', () => {
    const bytes = estimatorToBytes(new Ridge());
    rejects(
      tampered((doc) => {
        doc.root.state = { _fitted: true, nFeaturesIn: 3 };
      }, bytes),
      /Ridge does not fit together: predict fails/,
    );
    rejects(
      tampered((doc) => {
        state(doc).nFeaturesIn = 'three';
      }),
      /nFeaturesIn of Ridge is "three"/,
    );
  });

  it('probability parameters of the wrong length are refused at loading', () => {
    const { X, y } = dataFor('classifier');
    const bytes = estimatorToBytes(new SVC({ probability: true, randomState: 0 }).fit(X, y!));
    rejects(
      tampered((doc, tensors) => {
        const key = (state(doc).probA as { key: string }).key;
        tensors.set(key, new Tensor(new Float64Array(1), [1]));
      }, bytes),
      /SVC does not fit together: predictProba/,
    );
  });

  it('SVC: support vectors that do not fit the support are refused', () => {
    const { X, y } = dataFor('classifier');
    const bytes = estimatorToBytes(new SVC().fit(X, y!));
    rejects(
      tampered((doc, tensors) => {
        const key = (state(doc).supportVectors as { key: string }).key;
        tensors.set(key, new Tensor(new Float64Array(6), [2, 3]));
      }, bytes),
      /saved supportVectors \[2, 3\]/,
      FrugalError,
    );
  });
});

/** The Ridge file's document as text (for edits JSON.stringify cannot express, like a __proto__ key). */
function fittedRidgeBytesText(): string {
  return JSON.stringify(open(fittedRidgeBytes()).doc);
}
