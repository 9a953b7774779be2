import type { Readable } from 'node:stream';
import type { JsonMessage } from '../types/index.js';

/** Splits a JSON-lines response into parsed objects (raw text kept for exact numbers). */
export async function* readJsonLines(stream: Readable): AsyncGenerator<{ value: Record<string, unknown>; raw: string }> {
  let buffer = '';
  for await (const chunk of stream) {
    buffer += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield { value: JSON.parse(line) as Record<string, unknown>, raw: line };
    }
  }
  const rest = buffer.trim();
  if (rest) yield { value: JSON.parse(rest) as Record<string, unknown>, raw: rest };
}

/** An error carried in a JSON progress stream (`errorDetail`). */
export class JsonStreamError extends Error {
  constructor(message: string, readonly code: number | undefined) {
    super(message);
    this.name = 'JsonStreamError';
  }
}

/**
 * Prints a progress stream as the docker CLI does without a terminal: `id: status` or
 * `status` lines, build output as is; an `errorDetail` ends it with a JsonStreamError.
 */
export async function displayJsonMessages(stream: Readable, out: (text: string) => void, onAux?: (aux: unknown) => void): Promise<void> {
  for await (const { value } of readJsonLines(stream)) {
    const msg = value as JsonMessage;
    if (msg.errorDetail || msg.error) {
      throw new JsonStreamError(msg.errorDetail?.message ?? msg.error ?? 'unknown error', msg.errorDetail?.code);
    }
    if (msg.aux !== undefined) {
      onAux?.(msg.aux);
      continue;
    }
    if (msg.stream !== undefined) {
      out(msg.stream);
      continue;
    }
    if (msg.status !== undefined) {
      const progress = msg.progress ? ` ${msg.progress}` : '';
      out(`${msg.id ? `${msg.id}: ` : ''}${msg.status}${progress}\n`);
    }
  }
}
