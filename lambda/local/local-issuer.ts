import { WorkerRpc } from './worker-rpc';

/** What `tokenFor` signs. */
export interface TokenRequest {
  /** The subject: the caller the app's functions see (`sub`). */
  readonly sub: string;
  /** More claims (`scope`, `email`, `cognito:groups`...); `sub`, `iss`, `aud` and `exp` are set from the other fields, `iat` is now unless given here. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Seconds, or a span as jose reads it (`'15m'`, `'2h'`); a negative number makes a token that has expired already. @default '1h' */
  readonly expiresIn?: number | string;
  /** @default - the issuer of the app's JWT authorizer */
  readonly issuer?: string;
  /** @default - the first audience of the app's JWT authorizer with that issuer */
  readonly audience?: string | readonly string[];
}

/** A token that passed verification: its claims as signed. */
export type VerifiedToken = { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> };
/** A token that did not, and why. */
export type RefusedToken = { readonly ok: false; readonly reason: string };

// Runs in the worker: jose, under Node's own module loader, with the key pair it makes at start.
// ES256: small keys, fast to make, and a real asymmetric signature as an identity provider's.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const ALGORITHM = 'ES256';
let jose, keys;
const ready = (async () => {
  jose = createRequire(workerData.resolveFrom)('jose');
  keys = await jose.generateKeyPair(ALGORITHM);
})();
parentPort.on('message', async ({ id, sign, verify }) => {
  try {
    await ready;
    if (sign) {
      const { claims, sub, issuer, audience, issuedAt, expiresAt } = sign;
      const token = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: workerData.keyId, typ: 'JWT' })
        .setSubject(sub).setIssuer(issuer).setAudience(audience).setIssuedAt(issuedAt).setExpirationTime(expiresAt)
        .sign(keys.privateKey);
      parentPort.postMessage({ id, ok: true, value: token });
    } else if (verify) {
      const options = { algorithms: [ALGORITHM], requiredClaims: ['exp'], ...(verify.issuer === undefined ? {} : { issuer: verify.issuer }) };
      try {
        const { payload } = await jose.jwtVerify(verify.token, keys.publicKey, options);
        parentPort.postMessage({ id, ok: true, value: { ok: true, claims: payload } });
      } catch (error) {
        parentPort.postMessage({ id, ok: true, value: { ok: false, reason: error.message } });
      }
    } else {
      parentPort.postMessage({ id, ok: true, value: null });
    }
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: { message: error.message } });
  }
});
`;

/**
 * The identity provider of a local run: an ES256 key pair made at start, that signs the tokens
 * `tokenFor` hands out and verifies those sent to a JWT route, as API Gateway verifies a token
 * against the issuer's published keys. No token from a real provider passes: its signature is
 * not this key's.
 *
 * jose runs in a worker thread of its own (`WorkerRpc`): jose 6 is an ES module only.
 */
/** How many verified tokens a run remembers. */
const MAX_REMEMBERED_SIGNATURES = 1000;

/** Why a token whose signature passed is refused now, by its times (`exp` passed, `nbf` not yet), as jose checks them; undefined when it is valid now. */
function timeRefusal(claims: Readonly<Record<string, unknown>>): RefusedToken | undefined {
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) return { ok: false, reason: '"exp" claim timestamp check failed' };
  if (typeof claims.nbf === 'number' && claims.nbf > now) return { ok: false, reason: '"nbf" claim timestamp check failed' };
  return undefined;
}

export class LocalIssuer {
  /** Starts the worker, loads jose and makes the key pair; an error names what failed (jose not installed, a Node.js too old for it). */
  static async create(): Promise<LocalIssuer> {
    const issuer = new LocalIssuer();
    try {
      await issuer.call({});
    } catch (error) {
      await issuer.stop();
      throw new Error(`cdk-cqrs local: could not start the local token issuer (jose): ${error instanceof Error ? error.message : String(error)}. jose is an ES module: it needs Node.js 22.12 or later.`);
    }
    return issuer;
  }

  private readonly worker = new WorkerRpc('the token issuer', WORKER_SOURCE, { resolveFrom: __filename, keyId: 'cdk-cqrs-local' });
  /** Tokens whose signature and issuer passed, by issuer and token: see `verify`. */
  private readonly signatures = new Map<string, VerifiedToken>();

  private constructor() {}

  /** A token signed by the local key, for `request.issuer` and `request.audience` (both required here). */
  async sign(request: TokenRequest & { readonly issuer: string; readonly audience: string | readonly string[] }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = request.expiresIn ?? '1h';
    const iat = request.claims?.iat;
    return await this.call({
      sign: {
        claims: { ...request.claims }, sub: request.sub, issuer: request.issuer, issuedAt: typeof iat === 'number' ? iat : now,
        audience: typeof request.audience === 'string' ? request.audience : [...request.audience],
        expiresAt: typeof expiresIn === 'number' ? now + expiresIn : expiresIn,
      },
    }) as string;
  }

  /**
   * Verifies `token` as API Gateway's JWT authorizer does: the signature (ES256, this key), `iss`
   * equal to the authorizer's issuer, `aud` (or `client_id`) one of its audiences, `exp` present
   * and after now, `nbf` and `iat` not after now. Without `expect`, only the signature and the
   * times are checked (the local stand-in for an IAM signature).
   */
  async verify(token: string, expect?: { readonly issuer: string; readonly audience: readonly string[] }): Promise<VerifiedToken | RefusedToken> {
    const key = `${expect?.issuer ?? ''}\n${token}`;
    let verified: VerifiedToken | RefusedToken | undefined = this.signatures.get(key);
    if (verified) {
      // The signature and issuer of these very bytes were checked already; the times change with the clock.
      const refused = timeRefusal(verified.claims);
      if (refused) return refused;
    } else {
      verified = await this.call({ verify: { token, issuer: expect?.issuer } }) as VerifiedToken | RefusedToken;
      if (!verified.ok) return verified;
      // A client sends one token many times, as API Gateway's cached keys make a check cheap: a
      // second check of the same bytes costs no worker message. Bounded: cleared when full.
      if (this.signatures.size >= MAX_REMEMBERED_SIGNATURES) this.signatures.clear();
      this.signatures.set(key, verified);
    }
    const { claims } = verified;
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000) return { ok: false, reason: 'the token was issued in the future (iat)' };
    if (expect) {
      const audiences = [claims.aud, claims.client_id].flat().filter((a): a is string => typeof a === 'string');
      if (!audiences.some((a) => expect.audience.includes(a))) return { ok: false, reason: `the token's aud (or client_id) is none of ${expect.audience.join(', ')}` };
    }
    return verified;
  }

  /** Ends the worker; the key pair goes with it. */
  async stop(): Promise<void> {
    await this.worker.stop();
  }

  private call(message: { readonly sign?: unknown; readonly verify?: unknown }): Promise<unknown> {
    return this.worker.call(message);
  }
}
