// The demo's HTTP client: fetch against the local API, each request and answer printed as curl would show them.
import type { LocalApp } from 'cdk-cqrs/testing';

export interface DemoAnswer {
  readonly status: number;
  readonly etag: string | null;
  readonly body: Record<string, unknown>;
}

/** A caller of the demo: a name to print, and the bearer token that proves it. */
export interface DemoCaller {
  readonly name: string;
  readonly token: string;
}

/**
 * GET and POST on `local`'s API as `caller` (undefined: no token), printing the request as a curl
 * command, and the answer's body (the local runtime's trace prints its status and route).
 */
export function demoHttpClient(local: LocalApp, print: (line: string) => void) {
  const send = async (method: 'GET' | 'POST', path: string, caller: DemoCaller | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<DemoAnswer> => {
    const shown = Object.entries(headers).map(([name, value]) => ` -H '${name}: ${value}'`).join('');
    const token = caller?.token;
    print(`   $ curl -X ${method} $URL${path}${caller ? ` -H 'authorization: Bearer <${caller.name}>'` : ''}${shown}${body === undefined ? '' : ` -d '${JSON.stringify(body)}'`}`);
    const response = await fetch(`${local.httpUrl()}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const etag = response.headers.get('etag');
    print(`     ← ${etag ? `etag: ${etag} ` : ''}${text.length > 140 ? `${text.slice(0, 140)}…` : text}`);
    let parsed: unknown = {};
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { text };
    }
    return { status: response.status, etag, body: (typeof parsed === 'object' && parsed !== null ? parsed : { value: parsed }) as Record<string, unknown> };
  };
  return {
    get: (path: string, caller: DemoCaller | undefined) => send('GET', path, caller),
    post: (path: string, caller: DemoCaller | undefined, body: unknown, headers: Record<string, string> = {}) => send('POST', path, caller, body, headers),
  };
}
