import { PassThrough, Writable } from 'node:stream';
import { UnavailableError, errnoCode } from '../base/index.js';
import { connectSeqpacket, type SeqpacketConnection } from '../host/index.js';

/** conmon's stdpipe_t: the first byte of every packet it sends on the attach socket. */
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;

/**
 * conmon reads at most CONN_SOCK_BUF_SIZE - 1 bytes per packet (32767) and silently drops the
 * rest of a longer one, so stdin goes in packets well under that.
 */
const STDIN_PACKET_BYTES = 8192;

export interface AttachOptions {
  /** Forward stdin (the container or exec must have been created with stdin open). */
  stdin?: boolean;
  /** Deliver the container's stdout (default true); unwanted output is dropped, not buffered. */
  stdout?: boolean;
  /** Deliver the container's stderr (default true). With a tty everything arrives as stdout. */
  stderr?: boolean;
}

/**
 * A connection to a conmon attach socket (SOCK_SEQPACKET): packets from conmon are
 * `<pipe byte><data>`, demultiplexed here into `stdout` and `stderr`; what is written to
 * `stdin` becomes the container's stdin, and ending `stdin` shuts down our write side, which
 * conmon answers by closing the container's stdin (unless it was created to leave it open).
 * Both output streams end when conmon closes the socket, which it does only after the
 * process exited and its output was drained. Read every stream you asked for: a full
 * stream pauses the socket, and conmon then blocks writing to it.
 */
export class AttachSession {
  readonly stdout: PassThrough = new PassThrough();
  readonly stderr: PassThrough = new PassThrough();
  readonly stdin: Writable | undefined;
  /** Resolves when conmon closed the socket (the process is gone and its output delivered). */
  readonly ended: Promise<void>;

  private constructor(private readonly socket: SeqpacketConnection, options: AttachOptions) {
    const wantStdout = options.stdout ?? true;
    const wantStderr = options.stderr ?? true;
    let endedResolve!: () => void;
    this.ended = new Promise((resolve) => { endedResolve = resolve; });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.stdout.end();
      this.stderr.end();
      endedResolve();
    };
    socket.on('packet', (packet: Buffer) => {
      if (packet.length < 1) return;
      const target = packet[0] === STDOUT_PIPE ? (wantStdout ? this.stdout : undefined)
        : packet[0] === STDERR_PIPE ? (wantStderr ? this.stderr : undefined) : undefined;
      if (!target || packet.length === 1) return;
      if (!target.write(packet.subarray(1))) {
        socket.pause();
        target.once('drain', () => socket.resume());
      }
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (err: Error) => {
      if (errnoCode(err) !== 'EPIPE') this.stdout.destroy(err);
      finish();
    });
    this.stdin = options.stdin ? this.makeStdin() : undefined;
  }

  /** Connects to the attach socket at `socketPath` (any length: reached through /proc/self/fd). */
  static connect(socketPath: string, what: string, options: AttachOptions = {}): AttachSession {
    let socket: SeqpacketConnection;
    try {
      socket = connectSeqpacket(socketPath);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ECONNREFUSED') throw new UnavailableError(`${what}: no attach socket (its monitor is gone)`, { cause: err });
      throw err;
    }
    return new AttachSession(socket, options);
  }

  private makeStdin(): Writable {
    const socket = this.socket;
    // One packet per socket write, and the next write only after the previous completed, so
    // Node never merges queued chunks into one oversized writev packet.
    const writeSequentially = (chunk: Buffer, callback: (err?: Error | null) => void) => {
      let offset = 0;
      const next = (err?: Error | null) => {
        if (err) return callback(err);
        if (offset >= chunk.length || socket.destroyed) return callback();
        const piece = chunk.subarray(offset, offset + STDIN_PACKET_BYTES);
        offset += piece.length;
        socket.send(piece, next);
      };
      next();
    };
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => writeSequentially(chunk, callback),
      final: (callback) => {
        socket.shutdownWrite();
        callback();
      },
      destroy: (_err, callback) => callback(null),
    });
  }

  /** Drops the connection; the container keeps running. */
  close(): void {
    this.socket.destroy();
  }
}
