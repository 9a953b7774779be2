/**
 * One line of a Docker JSON-lines progress stream (`POST /images/create`, `/build`,
 * `/images/load`…): a status, build output, a final error, or auxiliary data.
 */
export interface JsonMessage {
  status?: string;
  id?: string;
  stream?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  errorDetail?: { code?: number; message: string };
  /** Deprecated duplicate of errorDetail.message that clients still read. */
  error?: string;
  aux?: unknown;
}

/** The `{"message": "..."}` body of every API error. */
export interface ErrorResponse {
  message: string;
}
