import type { ServerResponse } from 'node:http';
import type { JsonMessage } from '../types/index.js';
import { errorMessage } from './http-errors.js';

/**
 * A Docker JSON-lines progress stream (`application/json`, one message a line). The status
 * line goes out with the first message, so a handler that fails before writing anything still
 * gets an ordinary error response; after that, errors travel in the stream as
 * `{"errorDetail":{...},"error":...}`, which is how clients expect them.
 */
export class JsonStreamWriter {
  private opened = false;

  constructor(private readonly res: ServerResponse) {}

  /** True once something has been written (the status can no longer change). */
  get started(): boolean {
    return this.opened;
  }

  write(message: JsonMessage): void {
    if (!this.opened) {
      this.opened = true;
      if (!this.res.headersSent) {
        this.res.setHeader('Content-Type', 'application/json');
        this.res.writeHead(200);
      }
    }
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(JSON.stringify(message) + '\r\n');
  }

  status(status: string, id?: string): void {
    this.write(id === undefined ? { status } : { status, id });
  }

  stream(text: string): void {
    this.write({ stream: text });
  }

  aux(value: unknown): void {
    this.write({ aux: value });
  }

  error(err: unknown, code?: number): void {
    const message = errorMessage(err);
    this.write({ errorDetail: code === undefined ? { message } : { code, message }, error: message });
  }

  end(): void {
    if (!this.opened) this.write({});
    if (!this.res.writableEnded) this.res.end();
  }
}
