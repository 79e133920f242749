// Errors a request earns: an HTTP status and the JSON body {error: {code, message, path}}, where
// `path` names the offending part of the request (a JSON path into the body, a query parameter,
// a header, or the URL).
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string;
  /** Extra response headers (Retry-After on 429/503). */
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, path: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
    this.headers = headers;
  }
}

export function errorResponse(err: HttpError, extraHeaders: Record<string, string> = {}): Response {
  return Response.json(
    { error: { code: err.code, message: err.message, path: err.path } },
    { status: err.status, headers: { ...err.headers, ...extraHeaders } },
  );
}
