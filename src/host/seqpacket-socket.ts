import net from 'node:net';
import { basename, dirname } from 'node:path';
import { sys, check, errnoError, lastErrno } from './libc.js';
import { openDirPath, closeFd } from './openat2.js';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
/** sizeof(struct sockaddr_un): sa_family_t + sun_path[108]. */
const SOCKADDR_UN_SIZE = 110;

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
 * reads and writes a seqpacket fd fine — one read per packet, packet boundaries kept — so
 * the fd is wrapped in a Pipe handle from Node's `pipe_wrap` binding (process.binding, on
 * Node's allow-list; DEP0111 is documentation-only) and given to net.Socket as its handle.
 */
function pipeWrap(): PipeWrapBinding {
  const binding = (process as unknown as { binding(name: string): unknown }).binding('pipe_wrap') as PipeWrapBinding;
  if (typeof binding?.Pipe !== 'function') throw new Error('this Node.js has no pipe_wrap binding: cannot open SOCK_SEQPACKET sockets');
  return binding;
}

/**
 * Connects a SOCK_SEQPACKET unix socket (conmon's attach socket) and returns it as a
 * net.Socket: each 'data' chunk is one packet; `end()` shuts down the write side (the peer
 * reads EOF). Paths longer than sun_path's 108 bytes work: the parent directory is opened
 * and the socket reached through /proc/self/fd/<n>/<name>, as Podman does. Reads fail with
 * ECONNRESET, not EOF, when the peer closes with unread data queued; callers treat it as end.
 */
export function connectSeqpacket(path: string): net.Socket {
  const { Pipe, constants } = pipeWrap();
  const dirFd = openDirPath(dirname(path));
  try {
    const fd = check(sys.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), 'socket');
    const sunPath = `/proc/self/fd/${dirFd}/${basename(path)}`;
    const addr = Buffer.alloc(SOCKADDR_UN_SIZE);
    addr.writeUInt16LE(AF_UNIX, 0);
    const pathBytes = Buffer.from(sunPath);
    if (pathBytes.length >= SOCKADDR_UN_SIZE - 2) {
      sys.close(fd);
      throw new Error(`socket name too long: ${basename(path)}`);
    }
    pathBytes.copy(addr, 2);
    if (sys.connect(fd, addr, 2 + pathBytes.length + 1) < 0) {
      const err = errnoError('connect', lastErrno(), path);
      sys.close(fd);
      throw err;
    }
    const handle = new Pipe(constants.SOCKET);
    const rc = handle.open(fd);
    if (rc < 0) {
      sys.close(fd);
      throw errnoError('uv_pipe_open', -rc, path);
    }
    return new net.Socket({ handle, readable: true, writable: true } as net.SocketConstructorOpts);
  } finally {
    closeFd(dirFd);
  }
}
