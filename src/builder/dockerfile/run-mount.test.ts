import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import { csvFields } from './csv-fields.js';
import { parseRunDevice } from './run-device.js';
import { parseRunMount, type RunMount } from './run-mount.js';

const identity = (value: string) => value;

function mount(spec: string): RunMount {
  return parseRunMount(spec, identity);
}

function mountError(spec: string): string {
  try {
    mount(spec);
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError);
    return err.message;
  }
  return 'no error';
}

describe('CSV fields', () => {
  test('plain and quoted fields', () => {
    assert.deepEqual(csvFields('a=1,b=2'), ['a=1', 'b=2']);
    assert.deepEqual(csvFields('"a,b",c'), ['a,b', 'c']);
    assert.deepEqual(csvFields('"say ""hi""",'), ['say "hi"', '']);
    assert.deepEqual(csvFields('x\n'), ['x']);
  });

  test('errors', () => {
    assert.throws(() => csvFields(''), { message: 'EOF' });
    assert.throws(() => csvFields('ab"c'), { message: 'parse error on line 1, column 3: bare " in non-quoted-field' });
    assert.throws(() => csvFields('"ab"c'), { message: 'parse error on line 1, column 4: extraneous or missing " in quoted-field' });
    assert.throws(() => csvFields('"abc'), { message: 'parse error on line 1, column 2: extraneous or missing " in quoted-field' });
  });
});

describe('--mount', () => {
  test('defaults: a read-only bind mount', () => {
    assert.deepEqual(mount('target=/src'), {
      type: 'bind', from: '', source: '', target: '/src', readOnly: true, sizeLimit: 0, cacheId: '', cacheSharing: '', required: false,
    });
  });

  test('caches and tmpfs are writable by default; rw/ro override', () => {
    assert.equal(mount('type=cache,target=/c').readOnly, false);
    assert.equal(mount('type=tmpfs,target=/t,size=64m').sizeLimit, 64 * 1024 * 1024);
    assert.equal(mount('type=bind,target=/b,rw').readOnly, false);
    assert.equal(mount('type=bind,target=/b,readwrite=true').readOnly, false);
    assert.equal(mount('type=cache,target=/c,ro').readOnly, true);
  });

  test('aliases and case', () => {
    const m = mount('TYPE=Cache,dst=/c,src=/s,from=stage,id=x,sharing=LOCKED,mode=0700,uid=1,gid=2');
    assert.deepEqual([m.type, m.target, m.source, m.from, m.cacheId, m.cacheSharing, m.mode, m.uid, m.gid], ['cache', '/c', '/s', 'stage', 'x', 'locked', 0o700, 1, 2]);
  });

  test('secrets and ssh', () => {
    const secret = mount('type=secret,id=tok,env=TOKEN,required');
    assert.deepEqual([secret.cacheId, secret.env, secret.required, secret.readOnly], ['tok', 'TOKEN', true, true]);
    assert.equal(mount('type=ssh,required=false').required, false);
  });

  test('errors', () => {
    assert.equal(mountError('type=volume'), 'unsupported mount type "volume"');
    assert.equal(mountError('type=cahce'), 'unsupported mount type "cahce" (did you mean cache?)');
    assert.equal(mountError('type=cache,sharing=x'), 'unsupported sharing value "x"');
    assert.equal(mountError('type=bind,required'), "unexpected key 'required' for mount type 'bind'");
    assert.equal(mountError('type=bind,size=1m'), "unexpected key 'size' for mount type 'bind'");
    assert.equal(mountError('type=tmpfs,size=lots'), 'invalid value for size: lots');
    assert.equal(mountError('type=bind,ro=maybe'), 'invalid value for ro: maybe');
    assert.equal(mountError('type=cache,mode=999'), 'invalid value 999 for mode');
    assert.equal(mountError('type=bind,uid=1'), 'uid not allowed for "bind" type mounts');
    assert.equal(mountError('type=bind,foo'), "invalid field 'foo' must be a key=value pair");
    assert.equal(mountError('type=bind,targt=/x'), "unexpected key 'targt' in 'targt=/x' (did you mean target?)");
    assert.equal(mountError('type=secret'), 'invalid secret mount. one of source, target required');
    assert.equal(mountError('type=secret,id=a,from=b'), 'secret mount should not have a from');
    assert.equal(mountError('type=secret,id=a,sharing=shared'), 'secret mount should not define sharing');
    assert.equal(mountError('type=secret,id=a,source=b'), "both source and id can't be set");
    assert.equal(mountError('type=bind,sharing=shared'), 'invalid cache sharing set for bind mount');
    assert.equal(mountError('a"b'), 'failed to parse csv mounts: parse error on line 1, column 2: bare " in non-quoted-field');
  });

  test('values are expanded before validation', () => {
    const expand = (value: string) => value.replace('$T', 'cache');
    assert.equal(parseRunMount('type=$T,target=/x', expand).type, 'cache');
  });

  test('without an expander only from= is checked', () => {
    assert.doesNotThrow(() => parseRunMount('type=whatever,uid=x,foo'));
    assert.throws(() => parseRunMount('from=${STAGE}'), { message: "'from' doesn't support variable expansion, define alias stage instead" });
    // A trailing $ is not a variable.
    assert.equal(parseRunMount('from=stage$').from, 'stage$');
  });
});

describe('--device', () => {
  test('names and required', () => {
    assert.deepEqual(parseRunDevice('vendor.com/gpu=all'), { name: 'vendor.com/gpu=all', required: false });
    assert.deepEqual(parseRunDevice('name=gpu,required'), { name: 'gpu', required: true });
    assert.deepEqual(parseRunDevice('gpu,required=false'), { name: 'gpu', required: false });
  });

  test('errors', () => {
    assert.throws(() => parseRunDevice('a,name=b'), { message: 'device name already set to a' });
    assert.throws(() => parseRunDevice('a,required=x'), { message: 'invalid value for required: x' });
    assert.throws(() => parseRunDevice('a,nme=b'), { message: "unexpected key 'nme' in 'nme=b' (did you mean name?)" });
  });
});
