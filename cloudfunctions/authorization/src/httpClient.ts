/**
 * The function's one HTTP client (openapi/transport.ts, broker/wechatHttp.ts and the message
 * forwarder are views of it): any method, a hard deadline on connect + whole answer, a cap on the
 * answer's size, keep-alive connections. Built on the `http`/`https` modules (no global fetch) so it
 * runs on old cloud Node runtimes. It never rejects and never passes on Node's error objects: their
 * text can hold the URL, and ours carry tokens in the query. Only an error's `code` gets out.
 */
import http from 'http';
import https from 'https';

export interface OutboundRequest {
  method: string;
  url: URL;
  accept: string;
  /** Sent with its Content-Type and Content-Length; none for a GET. */
  body?: { bytes: Buffer; contentType: string };
  timeoutMs: number;
  /** An answer longer than this is cut off and reported as `too_large`. */
  maxBytes: number;
}

export type OutboundOutcome =
  | { kind: 'response'; status: number; contentType: string | undefined; body: Buffer }
  | { kind: 'too_large'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network'; code?: string };

type Finish = (outcome: OutboundOutcome) => void;

/**
 * Keep-alive, so repeated calls skip the TCP (and TLS) handshake. These are the options of Node 20's
 * own global agent (idle sockets close after 5 s, before a server drops them under a request), set
 * here so that older runtimes, whose global agent does not keep alive, behave the same.
 */
const AGENT_OPTIONS: http.AgentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 };
const agents = { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) };

export function sendRequest(spec: OutboundRequest): Promise<OutboundOutcome> {
  let outgoing: http.ClientRequest;
  try {
    outgoing = open(spec);
  } catch (error) {
    // e.g. a protocol Node cannot speak: still an outcome, not an exception.
    return Promise.resolve({ kind: 'network', code: codeOf(error) });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish: Finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const deadline = setTimeout(() => {
      finish({ kind: 'timeout' });
      outgoing.destroy();
    }, spec.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'network', code: error.code }));
    outgoing.on('response', (response) => readAnswer(response, spec.maxBytes, finish));
    outgoing.end(spec.body?.bytes);
  });
}

function open(spec: OutboundRequest): http.ClientRequest {
  const headers: http.OutgoingHttpHeaders = { Accept: spec.accept };
  if (spec.body) {
    headers['Content-Type'] = spec.body.contentType;
    headers['Content-Length'] = spec.body.bytes.length;
  }
  const secure = spec.url.protocol === 'https:';
  const options = { method: spec.method, headers, agent: secure ? agents.https : agents.http };
  return secure ? https.request(spec.url, options) : http.request(spec.url, options);
}

function readAnswer(response: http.IncomingMessage, maxBytes: number, finish: Finish): void {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      finish({ kind: 'too_large', status });
      response.destroy();
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () =>
    finish({ kind: 'response', status, contentType: response.headers['content-type'], body: Buffer.concat(chunks) }),
  );
  // A connection dropped mid-body ends in 'close' without 'end' (older Node: 'aborted').
  const dropped = (error?: NodeJS.ErrnoException) => finish({ kind: 'network', code: error?.code ?? 'ECONNRESET' });
  response.on('aborted', () => dropped());
  response.on('error', dropped);
  response.on('close', () => {
    if (!response.complete) dropped();
  });
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
