import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, encodeEvent, type RecordedEvent } from './event-bus.js';
import { FilterArgs } from '../types/index.js';

test('subscribers get matching live events; history answers since/until', () => {
  const bus = new EventBus();
  const first = bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:aaa', Attributes: { name: 'busybox:latest' } } });
  bus.publish({ Type: 'image', Action: 'delete', Actor: { ID: 'sha256:bbb', Attributes: { name: 'sha256:bbb' } } });
  const live: RecordedEvent[] = [];
  const sub = bus.subscribe({ filter: FilterArgs.fromJSON('{"event":{"tag":true}}') }, (e) => live.push(e));
  assert.equal(sub.past.length, 0, 'no since: no history');
  bus.publish({ Type: 'image', Action: 'untag', Actor: { ID: 'sha256:aaa' } });
  bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:ccc', Attributes: { name: 'x:1' } } });
  assert.deepEqual(live.map((e) => e.message.Actor.ID), ['sha256:ccc']);
  sub.close();
  const past = bus.subscribe({ since: first.nanos, filter: FilterArgs.fromJSON('{"image":{"busybox":true}}') }, () => {});
  assert.deepEqual(past.past.map((e) => e.message.Action), ['tag'], 'image filter matches the name without its tag');
  past.close();
  const window = bus.subscribe({ since: 0n, until: first.nanos }, () => {});
  assert.equal(window.past.length, 1);
  let closed = false;
  bus.subscribe({}, () => {}, () => { closed = true; });
  bus.close();
  assert.ok(closed, 'closing the bus ends subscriptions');
});

test('events encode with legacy fields and exact nanoseconds', () => {
  const bus = new EventBus();
  const ev = bus.publish({ Type: 'image', Action: 'import', Actor: { ID: 'sha256:x', Attributes: { name: 'sha256:x' } } });
  const line = encodeEvent(ev, true);
  assert.match(line, /^\{"status":"import","id":"sha256:x","Type":"image","Action":"import","Actor":\{"ID":"sha256:x","Attributes":\{"name":"sha256:x"\}\},"scope":"local","time":\d+,"timeNano":\d+\}\n$/);
  assert.ok(line.includes(`"timeNano":${ev.nanos}`));
  assert.ok(!encodeEvent(ev, false).includes('"status"'));
});
