import { ConflictError, NotFoundError, StrataError, type ErrorKind } from '../base/index.js';

/**
 * The error text of an OCI runtime's stderr. With `--log-format json` (which strata passes)
 * each line is a logrus JSON object; the `msg` of error-level lines is what runc meant to
 * say. Lines that are not JSON are kept as they are.
 */
export function runtimeErrorText(stderr: string): string {
  const messages: string[] = [];
  for (const line of stderr.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    try {
      const parsed = JSON.parse(trimmed) as { level?: unknown; msg?: unknown };
      if (parsed && typeof parsed === 'object' && typeof parsed.msg === 'string') {
        if (parsed.level === undefined || parsed.level === 'error' || parsed.level === 'fatal') messages.push(parsed.msg);
        continue;
      }
    } catch { /* not JSON: keep the line */ }
    messages.push(trimmed);
  }
  return messages.join('\n');
}

/**
 * Docker's exit codes for a command that could not be started (moby daemon/start.go): 127
 * when it was not found, 126 when it could not be executed.
 */
export function commandErrorExitCode(runtimeMessage: string): 126 | 127 | undefined {
  if (/executable file not found|no such file or directory/i.test(runtimeMessage)) return 127;
  if (/permission denied|exec format error|is a directory|not a directory/i.test(runtimeMessage)) return 126;
  return undefined;
}

/**
 * The OCI runtime refused an operation. `runtimeMessage` is its text verbatim, e.g.
 * `runc create failed: unable to start container process: exec: "nosuchcmd": executable
 * file not found in $PATH`; `commandExitCode` is 126/127 when the command itself is at
 * fault (then the kind is invalid-argument, as Docker answers 400), else undefined.
 */
export class OciRuntimeError extends StrataError {
  readonly containerId: string;
  readonly runtimeMessage: string;
  readonly commandExitCode: 126 | 127 | undefined;
  constructor(containerId: string, operation: string, runtimeMessage: string, options?: { cause?: unknown }) {
    const exitCode = commandErrorExitCode(runtimeMessage);
    const kind: ErrorKind = exitCode !== undefined ? 'invalid-argument' : 'internal';
    // Docker's wording (its trailing ": unknown" is the gRPC status containerd adds), so
    // clients that read the message — the docker CLI deriving 126/127 — see what they expect.
    super(kind, `OCI runtime ${operation} failed: ${runtimeMessage || 'no error message'}: unknown`, options);
    this.containerId = containerId;
    this.runtimeMessage = runtimeMessage;
    this.commandExitCode = exitCode;
  }
}

/**
 * The error for a failed runtime operation on `containerId`: NotFoundError when the runtime
 * does not know the container, ConflictError when its state forbids the operation (not
 * running, not paused, not stopped), else OciRuntimeError with the runtime's text.
 */
export function runtimeFailure(containerId: string, operation: string, text: string): StrataError {
  if (/container does not exist/i.test(text)) return new NotFoundError(`container ${containerId}: no such container in the OCI runtime (${text})`);
  if (/not running|is paused|not paused|not stopped|stopped container|process already finished/i.test(text)) {
    return new ConflictError(`container ${containerId}: cannot ${operation}: ${text}`);
  }
  return new OciRuntimeError(containerId, operation, text);
}
