import type { EventMessage, EventType, FilterArgs, Nanos } from '../types/index.js';
import { nowNanos } from '../types/index.js';
import { eventMatches } from './event-filter.js';

/** What a publisher says happened; the bus stamps the time and scope. */
export interface EventInput {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  scope?: 'local' | 'swarm';
}

/** An event as kept: the wire message and its exact time (a double cannot hold nanoseconds). */
export interface RecordedEvent {
  message: EventMessage;
  nanos: Nanos;
}

export interface EventSubscription {
  /** Events from the history that match, oldest first, to send before live ones. */
  readonly past: RecordedEvent[];
  close(): void;
}

interface Subscriber {
  filter: FilterArgs | undefined;
  onEvent: (event: RecordedEvent) => void;
  onClose: () => void;
}

/** How many past events are kept for `since` queries, as Docker keeps. */
export const EVENT_HISTORY_LIMIT = 256;

/**
 * The daemon's event bus (`docker events`). Anything may publish: route modules after an
 * operation, and core modules through a callback the daemon hands them (they cannot import
 * the API). Subscribers get the matching history first, then live events, until they close
 * or the bus does (daemon shutdown).
 */
export class EventBus {
  private readonly history: RecordedEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private lastNanos = 0n;

  publish(input: EventInput): RecordedEvent {
    // Strictly increasing times keep `since`/`until` windows exact even for bursts.
    let nanos = nowNanos();
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    const message: EventMessage = {
      Type: input.Type,
      Action: input.Action,
      Actor: { ID: input.Actor.ID, Attributes: { ...(input.Actor.Attributes ?? {}) } },
      scope: input.scope ?? 'local',
      time: Number(nanos / 1_000_000_000n),
      timeNano: Number(nanos),
    };
    const event = { message, nanos };
    this.history.push(event);
    if (this.history.length > EVENT_HISTORY_LIMIT) this.history.shift();
    for (const sub of this.subscribers) {
      if (!sub.filter || eventMatches(sub.filter, message)) {
        try {
          sub.onEvent(event);
        } catch { /* a failing subscriber must not stop the others */ }
      }
    }
    return event;
  }

  /**
   * Subscribes with a filter. `since`/`until` select history; live events are delivered to
   * `onEvent` until `close()`; `onClose` runs when the bus shuts down.
   */
  subscribe(
    options: { since?: Nanos; until?: Nanos; filter?: FilterArgs },
    onEvent: (event: RecordedEvent) => void,
    onClose: () => void = () => {},
  ): EventSubscription {
    const past = options.since === undefined && options.until === undefined
      ? []
      : this.history.filter((e) =>
        (options.since === undefined || e.nanos >= options.since)
        && (options.until === undefined || e.nanos <= options.until)
        && (!options.filter || eventMatches(options.filter, e.message)));
    const sub: Subscriber = { filter: options.filter, onEvent, onClose };
    this.subscribers.add(sub);
    return { past, close: () => { this.subscribers.delete(sub); } };
  }

  get listenerCount(): number {
    return this.subscribers.size;
  }

  /** Ends every subscription (the daemon is stopping). */
  close(): void {
    for (const sub of [...this.subscribers]) {
      this.subscribers.delete(sub);
      sub.onClose();
    }
  }
}

/**
 * One event as a JSON line. Below API 1.52 Docker adds the legacy `status`, `id` and `from`
 * fields; `timeNano` is written from the exact bigint.
 */
export function encodeEvent(event: RecordedEvent, legacyFields: boolean): string {
  const { message } = event;
  const out: Record<string, unknown> = {};
  if (legacyFields) {
    out.status = message.Action;
    out.id = message.Actor.ID;
    const from = message.Type === 'container' ? message.Actor.Attributes.image : undefined;
    if (from) out.from = from;
  }
  out.Type = message.Type;
  out.Action = message.Action;
  out.Actor = message.Actor;
  out.scope = message.scope;
  out.time = message.time;
  const json = JSON.stringify(out);
  return `${json.slice(0, -1)},"timeNano":${event.nanos.toString()}}\n`;
}
