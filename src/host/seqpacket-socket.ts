import { EventEmitter } from 'node:events';
import net from 'node:net';
import { basename, dirname } from 'node:path';
import { sys, check, errnoError, lastErrno } from './libc.js';
import { openDirPath, closeFd } from './openat2.js';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
/** sizeof(struct sockaddr_un): sa_family_t + sun_path[108]. */
const SOCKADDR_UN_SIZE = 110;
/** Larger than any packet conmon sends (8 KiB of output plus its pipe byte). */
const MAX_PACKET = 64 * 1024;

interface PipeHandle {
  open(fd: number): number;
}
interface PipeWrapBinding {
  Pipe: new (type: number) => PipeHandle;
  constants: { SOCKET: number };
}

/**
 * Node's `net` cannot open SOCK_SEQPACKET unix sockets: `net.connect` makes SOCK_STREAM
 * sockets, and `new net.Socket({ fd })` refuses the fd because libuv's uv_guess_handle only
 * recognises stream sockets ("Unsupported fd type: UNKNOWN"). libuv's pipe handle itself
 * reads and writes a seqpacket fd — one read per packet, boundaries kept — so the fd is
 * wrapped in a Pipe handle from Node's `pipe_wrap` binding (process.binding, on Node's
 * allow-list; DEP0111 is documentation-only) and given to net.Socket as its handle.
 */
function pipeWrap(): PipeWrapBinding {
  const binding = (process as unknown as { binding(name: string): unknown }).binding('pipe_wrap') as PipeWrapBinding;
  if (typeof binding?.Pipe !== 'function') throw new Error('this Node.js has no pipe_wrap binding: cannot open SOCK_SEQPACKET sockets');
  return binding;
}

function connectFd(path: string): number {
  const dirFd = openDirPath(dirname(path));
  try {
    const fd = check(sys.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), 'socket');
    // Through /proc/self/fd/<dir>, a socket path of any length fits in sun_path (Podman's trick).
    const pathBytes = Buffer.from(`/proc/self/fd/${dirFd}/${basename(path)}`);
    if (pathBytes.length >= SOCKADDR_UN_SIZE - 2) {
      sys.close(fd);
      throw new Error(`socket name too long: ${basename(path)}`);
    }
    const addr = Buffer.alloc(SOCKADDR_UN_SIZE);
    addr.writeUInt16LE(AF_UNIX, 0);
    pathBytes.copy(addr, 2);
    if (sys.connect(fd, addr, 2 + pathBytes.length + 1) < 0) {
      const err = errnoError('connect', lastErrno(), path);
      sys.close(fd);
      throw err;
    }
    return fd;
  } finally {
    closeFd(dirFd);
  }
}

/**
 * A connected SOCK_SEQPACKET unix socket (conmon's attach socket).
 *
 * Events: `packet` (Buffer, one per packet, in order), `end` (the peer closed and every
 * packet was delivered), `error`, `close`.
 *
 * libuv treats a short read as "drained" and, when the peer has hung up, reports EOF right
 * away — right for a byte stream, wrong for packets: a peer that sends two packets and
 * closes would lose the second. So at libuv's EOF the packets still queued are read here
 * with non-blocking recv(2) before `end` is emitted.
 */
export class SeqpacketConnection extends EventEmitter {
  private readonly socket: net.Socket;
  private ended = false;

  constructor(private readonly fd: number) {
    super();
    const { Pipe, constants } = pipeWrap();
    const handle = new Pipe(constants.SOCKET);
    const rc = handle.open(fd);
    if (rc < 0) {
      sys.close(fd);
      throw errnoError('uv_pipe_open', -rc);
    }
    // allowHalfOpen: the fd must stay open through 'end' so the rest can be drained.
    this.socket = new net.Socket({ handle, readable: true, writable: true, allowHalfOpen: true } as net.SocketConstructorOpts);
    this.socket.on('data', (packet: Buffer) => this.emit('packet', packet));
    this.socket.on('end', () => this.finish());
    this.socket.on('error', (err) => {
      // ECONNRESET is how the peer closing with our packets unread shows up: an end, not a failure.
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') this.finish();
      else this.emit('error', err);
    });
    this.socket.on('close', () => {
      this.finish();
      this.emit('close');
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.socket.destroyed) {
      const buf = Buffer.alloc(MAX_PACKET);
      for (;;) {
        const n = Number(sys.recv(this.fd, buf, buf.length, MSG_DONTWAIT));
        if (n <= 0) break; // 0: the peer's EOF; -1: EAGAIN or a reset — nothing more to read
        this.emit('packet', Buffer.from(buf.subarray(0, n)));
      }
    }
    this.emit('end');
    this.socket.destroy();
  }

  /** Sends one packet; `callback` runs once the kernel took it. */
  send(packet: Buffer, callback: (err?: Error | null) => void): void {
    if (this.socket.destroyed) {
      callback();
      return;
    }
    this.socket.write(packet, callback);
  }

  /** shutdown(SHUT_WR): the peer reads EOF; packets still flow to us. */
  shutdownWrite(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Stops reading (backpressure); the peer blocks once the socket buffer is full. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connects to the SOCK_SEQPACKET unix socket at `path` (any length). */
export function connectSeqpacket(path: string): SeqpacketConnection {
  return new SeqpacketConnection(connectFd(path));
}
