import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainId, chainIds, childChainId, imageIdOf } from './layer-identity.js';
import type { Digest } from '../base/index.js';

const A = `sha256:${'a'.repeat(64)}` as Digest;
const B = `sha256:${'b'.repeat(64)}` as Digest;
const C = `sha256:${'c'.repeat(64)}` as Digest;

test('chainID follows the OCI definition (hand-computed with sha256sum)', () => {
  // printf '%s %s' $A $B | sha256sum, then the same with that result and $C.
  const AB = 'sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c';
  const ABC = 'sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588';
  assert.deepEqual(chainIds([A, B, C]), [A, AB, ABC]);
  assert.equal(chainId([A, B, C]), ABC);
  assert.equal(chainId([A]), A, 'ChainID(L0) = DiffID(L0)');
  assert.equal(chainId([]), undefined);
  assert.equal(childChainId(undefined, A), A);
  assert.equal(childChainId(A, B), AB);
  assert.equal(childChainId(AB as Digest, C), ABC);
});

test('chainID: the image-spec identity package test case', () => {
  // identity/chainid_test.go uses the short strings "sha256:a", "sha256:b", "sha256:c".
  const a = 'sha256:a' as Digest;
  const b = 'sha256:b' as Digest;
  const c = 'sha256:c' as Digest;
  // sha256("sha256:a sha256:b") and sha256(<that> + " sha256:c"), by sha256sum.
  const ab = 'sha256:970a948bffa8de94d6e22d747ba8c95030e6e546909f98f54e99a13005e173a8';
  const abc = 'sha256:dee159b33409cefa3f6eda71539f006014283e9d9130c18a1dea7bd8a33c9b1b';
  assert.deepEqual(chainIds([a, b, c]), [a, ab, abc]);
  assert.deepEqual(chainIds([]), []);
});

test('chainIds does not modify its input', () => {
  const input = [A, B];
  chainIds(input);
  assert.deepEqual(input, [A, B]);
});

test('the image ID is the digest of the config bytes', () => {
  assert.equal(imageIdOf('{}'), 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
});
