import { gatewayAnswers, type HttpResponse } from './http-event';
import type { RouteAuthorization } from './http-api-topology';
import type { LocalIssuer } from './local-issuer';

/** What a route's authorization gives the event: `requestContext.authorizer`, or nothing on a route without one. */
export type Authorized = { readonly ok: true; readonly authorizer?: Readonly<Record<string, unknown>> };
/** A refused request: API Gateway's answer, sent with nothing invoked. */
export type Refused = { readonly ok: false; readonly response: HttpResponse };

/** The request parts an identity source can name. */
export interface IdentityParts {
  readonly headers: Readonly<Record<string, string>>;
  readonly queryStringParameters: Readonly<Record<string, string>>;
}

/**
 * A claim value as API Gateway passes it in `requestContext.authorizer.jwt.claims`: every value a
 * string. Numbers and booleans are written out (`"1767225600"`, `"true"`); an array is written
 * as `[a b]` and an object as `map[key:value]` (the service formats them the way Go does), so a
 * function that reads such a claim must parse it, here as in AWS.
 */
export function claimAsString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimAsString).join(' ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `map[${Object.keys(value).sort().map((key) => `${key}:${claimAsString((value as Record<string, unknown>)[key])}`).join(' ')}]`;
  }
  return String(value);
}

/** The token's scopes: `scope` (space-separated, OAuth 2.0) or `scp` (a list, or space-separated). */
export function scopesOf(claims: Readonly<Record<string, unknown>>): string[] {
  return [claims.scope, claims.scp].flat().flatMap((value) => (typeof value === 'string' ? value.split(' ') : [])).filter((scope) => scope !== '');
}

/** The token an identity source names (`$request.header.Authorization`, `$request.querystring.token`), without a `Bearer ` prefix. */
function tokenFrom(identitySource: readonly string[], request: IdentityParts): string | undefined {
  for (const source of identitySource) {
    const header = /^\$request\.header\.(.+)$/i.exec(source);
    const query = /^\$request\.querystring\.(.+)$/i.exec(source);
    const value = header ? request.headers[header[1].toLowerCase()] : query ? request.queryStringParameters[query[1]] : undefined;
    if (value !== undefined && value.trim() !== '') return value.trim().replace(/^Bearer\s+/i, '');
  }
  return undefined;
}

const quoted = (text: string) => text.replace(/["\\]/g, '');

/**
 * Applies a route's authorization before its function runs, as API Gateway does.
 * - JWT: the token from the identity source, verified against the local issuer's key and the
 *   authorizer's issuer and audiences; none or an invalid one is a 401, a token without one of
 *   the route's scopes a 403. The claims go to `authorizer.jwt` as strings, with the token's scopes.
 * - AWS_IAM: locally, a token of the local issuer stands in for a SigV4 signature (any issuer and
 *   audience, a valid signature and times); its `sub` is the caller's ARN in `authorizer.iam`.
 *   Without one, the 403 API Gateway answers an unsigned request.
 */
export async function authorize(authorization: RouteAuthorization, request: IdentityParts, issuer: LocalIssuer | undefined, accountId: string): Promise<Authorized | Refused> {
  if (authorization.kind === 'NONE') return { ok: true };
  if (authorization.kind === 'unsupported') return { ok: false, response: gatewayAnswers.notEmulated(`the route's authorization is not emulated: ${authorization.what}`) };
  if (!issuer) throw new Error('cdk-cqrs local: a route with authorization needs the local issuer.');
  if (authorization.kind === 'AWS_IAM') {
    const token = tokenFrom(['$request.header.Authorization'], request);
    const verified = token === undefined ? undefined : await issuer.verify(token);
    if (!verified?.ok || typeof verified.claims.sub !== 'string') return { ok: false, response: gatewayAnswers.forbidden() };
    const sub = verified.claims.sub;
    return { ok: true, authorizer: { iam: { accountId, userArn: sub, userId: sub } } };
  }
  const token = tokenFrom(authorization.authorizer.identitySource, request);
  if (token === undefined) return { ok: false, response: gatewayAnswers.unauthorized('Bearer') };
  const verified = await issuer.verify(token, { issuer: authorization.authorizer.issuer, audience: authorization.authorizer.audience });
  if (!verified.ok) return { ok: false, response: gatewayAnswers.unauthorized(`Bearer error="invalid_token" error_description="${quoted(verified.reason)}"`) };
  const scopes = scopesOf(verified.claims);
  // API Gateway lets the request through when the token has at least one of the route's scopes.
  if (authorization.scopes.length > 0 && !authorization.scopes.some((scope) => scopes.includes(scope))) {
    return { ok: false, response: gatewayAnswers.forbidden(`Bearer error="insufficient_scope" error_description="the token has none of the route's scopes: ${authorization.scopes.join(' ')}"`) };
  }
  const claims = Object.fromEntries(Object.entries(verified.claims).map(([name, value]) => [name, claimAsString(value)]));
  return { ok: true, authorizer: { jwt: { claims, scopes: scopes.length > 0 ? scopes : null } } };
}
