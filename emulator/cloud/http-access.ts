/**
 * 云开发 HTTP 访问服务 for one function: the HTTP request becomes an "integrated request" event,
 * and what the function returns becomes the HTTP response ("integrated response" if it has a
 * `statusCode`, a string/number as text/plain, anything else as JSON).
 */

export interface IntegratedRequest {
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string>;
  requestContext: { requestId: string; envId: string };
  body: string;
  isBase64Encoded: boolean;
}

export interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

/** Body size limits of HTTP-accessed cloud functions: 100 KB of text, 6 MB of anything else. */
export const DEFAULT_BODY_LIMITS = { text: 100 * 1024, binary: 6 * 1024 * 1024 };

const TEXT_TYPES = [
  /^text\//,
  /^application\/(.+\+)?json$/,
  /^application\/(.+\+)?xml$/,
  /^application\/x-www-form-urlencoded$/,
  /^application\/(x-)?javascript$/,
];

/** Text bodies arrive as they are; binary or unknown ones base64-encoded, as WeChat does. */
export function isTextContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return TEXT_TYPES.some((pattern) => pattern.test(mediaType));
}

export interface RequestParts {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer | undefined;
}

function headerMaps(rawHeaders: string[]) {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    (multiValueHeaders[rawHeaders[i].toLowerCase()] ??= []).push(rawHeaders[i + 1]);
  }
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.join(',')]));
  return { headers, multiValueHeaders };
}

export function toIntegratedRequest(
  request: RequestParts,
  options: { requestId: string; envId: string; forceBase64Body?: boolean },
): IntegratedRequest {
  const url = new URL(request.url, 'http://localhost');
  const { headers, multiValueHeaders } = headerMaps(request.rawHeaders);
  const raw = request.body ?? Buffer.alloc(0);
  const base64 = options.forceBase64Body === true || (raw.length > 0 && !isTextContentType(headers['content-type']));
  return {
    path: url.pathname,
    httpMethod: request.method.toUpperCase(),
    headers,
    multiValueHeaders,
    // A repeated query parameter keeps its last value.
    queryStringParameters: Object.fromEntries(url.searchParams.entries()),
    requestContext: { requestId: options.requestId, envId: options.envId },
    body: base64 ? raw.toString('base64') : raw.toString('utf8'),
    isBase64Encoded: base64,
  };
}

function isIntegratedResponse(
  value: unknown,
): value is { statusCode: number; headers?: unknown; body?: unknown; isBase64Encoded?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { statusCode?: unknown }).statusCode === 'number';
}

function responseHeaders(headers: unknown): Record<string, string | string[]> {
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.map(String) : String(value),
    ]),
  );
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';

export function toHttpResponse(result: unknown): HttpResponseParts {
  if (isIntegratedResponse(result)) {
    const headers = responseHeaders(result.headers);
    const body = result.body ?? '';
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] ??= typeof body === 'string' ? TEXT_PLAIN : 'application/json; charset=utf-8';
    return {
      statusCode: result.statusCode,
      headers,
      body: result.isBase64Encoded === true ? Buffer.from(text, 'base64') : text,
    };
  }
  if (typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean') {
    return { statusCode: 200, headers: { 'content-type': TEXT_PLAIN }, body: String(result) };
  }
  if (result === undefined || result === null) return { statusCode: 200, headers: { 'content-type': TEXT_PLAIN }, body: '' };
  return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(result) };
}
