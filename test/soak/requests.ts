/**
 * HTTP requests as the bad-input corpus sends them (any method, raw bytes, no redirects), for
 * pushes sealed by test/helpers/wechat-push.ts and for the function's pages.
 */

export interface HttpAnswer {
  status: number;
  body: string;
  contentType: string;
}

export async function request(
  method: string,
  url: string,
  body?: string | Buffer,
  contentType = 'text/xml',
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}),
    redirect: 'manual',
  });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' };
}

export function withQuery(url: string, query: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target.href;
}
