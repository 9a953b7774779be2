import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OPAQUE_WHITEOUT, WHITEOUT_PREFIX, isOpaqueWhiteout, isOverlayXattr, isWhiteoutMetaName, isWhiteoutName,
  whiteoutNameFor, whiteoutTarget,
} from './whiteouts.js';

test('whiteout names and what they delete', () => {
  assert.equal(WHITEOUT_PREFIX, '.wh.');
  assert.equal(OPAQUE_WHITEOUT, '.wh..wh..opq');
  assert.equal(whiteoutNameFor('foo'), '.wh.foo');
  assert.equal(whiteoutTarget('.wh.foo'), 'foo');
  assert.equal(whiteoutTarget('.wh..hidden'), '.hidden');
  assert.equal(whiteoutTarget('.wh.'), '');
  assert.equal(whiteoutTarget('foo'), undefined);
  assert.equal(whiteoutTarget(OPAQUE_WHITEOUT), undefined);
  assert.equal(whiteoutTarget('.wh..wh.plnk'), undefined);
});

test('whiteout predicates', () => {
  assert.ok(isWhiteoutName('.wh.x') && isWhiteoutName(OPAQUE_WHITEOUT) && isWhiteoutName('.wh..wh.plnk'));
  assert.ok(!isWhiteoutName('x.wh.') && !isWhiteoutName('.whx'));
  assert.ok(isOpaqueWhiteout(OPAQUE_WHITEOUT) && !isOpaqueWhiteout('.wh.x'));
  assert.ok(isWhiteoutMetaName('.wh..wh.plnk') && isWhiteoutMetaName('.wh..wh.aufs'));
  assert.ok(!isWhiteoutMetaName(OPAQUE_WHITEOUT) && !isWhiteoutMetaName('.wh.x'));
  assert.ok(isOverlayXattr('trusted.overlay.opaque') && !isOverlayXattr('trusted.other') && !isOverlayXattr('user.overlay.opaque'));
});
