import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as cognito from 'aws-cdk-lib/aws-cognito';

/** A JWT authorizer's settings: any OpenID Connect issuer. */
export interface HttpApiJwtAuthProps {
  /**
   * The issuer: the `iss` claim a token must carry, and where API Gateway finds the keys
   * (`<issuer>/.well-known/openid-configuration`). For example `https://cognito-idp.eu-west-1.amazonaws.com/<pool id>`.
   */
  readonly issuer: string;

  /** The audiences a token may be for: its `aud` (or, for Cognito access tokens, `client_id`) must be one of them. At least one. */
  readonly audience: string[];

  /**
   * Scopes a token must hold (its `scope` claim) on every route.
   *
   * @default - no scope is required
   */
  readonly scopes?: string[];
}

/** A Cognito user pool as the issuer of the JWTs. */
export interface HttpApiCognitoAuthProps {
  /** The user pool whose tokens are accepted. */
  readonly userPool: cognito.IUserPool;

  /** The app clients whose tokens are accepted. At least one. */
  readonly userPoolClients: cognito.IUserPoolClient[];

  /**
   * Scopes a token must hold on every route.
   *
   * @default - no scope is required
   */
  readonly scopes?: string[];
}

/**
 * How callers of a `CqrsHttpApi` prove who they are. Every route takes the same: a JWT (`jwt`,
 * `cognito`) or AWS IAM (`iam`, SigV4-signed requests). The verified identity (the token's `sub`
 * and claims, or the IAM user's ARN) reaches your domain code as the command's `caller`, and
 * scopes idempotency keys and read-your-writes sessions. `anonymous()` takes no proof at all and
 * must be chosen by name.
 */
export class HttpApiAuth {
  /** JWTs of any OpenID Connect issuer, verified by API Gateway. */
  public static jwt(props: HttpApiJwtAuthProps): HttpApiAuth {
    return new HttpApiAuth('JWT', props.scopes ?? [], (id) => new authorizers.HttpJwtAuthorizer(id, props.issuer, { jwtAudience: props.audience }), { issuer: props.issuer, audience: props.audience });
  }

  /** JWTs of a Cognito user pool (ID or access tokens of its app clients), verified by API Gateway. */
  public static cognito(props: HttpApiCognitoAuthProps): HttpApiAuth {
    return new HttpApiAuth('JWT', props.scopes ?? [], (id) => new authorizers.HttpUserPoolAuthorizer(id, props.userPool, { userPoolClients: props.userPoolClients }));
  }

  /** AWS IAM: requests signed with SigV4; callers need `execute-api:Invoke` on the routes (`CqrsHttpApi.grantInvoke`). */
  public static iam(): HttpApiAuth {
    return new HttpApiAuth('AWS_IAM', [], () => new authorizers.HttpIamAuthorizer());
  }

  /**
   * No authentication: anyone on the internet may call every route. Commands then have no
   * `caller`, so they cannot carry an `Idempotency-Key` or read their own writes, and domain
   * rules cannot tell callers apart. For public demos, or an API behind your own gateway.
   */
  public static anonymous(): HttpApiAuth {
    return new HttpApiAuth('NONE', [], () => new apigwv2.HttpNoneAuthorizer());
  }

  /**
   * How routes are authorized, as API Gateway names it: `JWT`, `AWS_IAM` or `NONE`.
   */
  public readonly authorizationType: string;

  /** Scopes required on every route. */
  public readonly scopes: string[];

  /** @internal */
  public readonly _createAuthorizer: (id: string) => apigwv2.IHttpRouteAuthorizer;

  /** @internal The issuer and audiences of a plain JWT authorizer, for the OpenAPI document. */
  public readonly _jwt?: { readonly issuer: string; readonly audience: string[] };

  private constructor(authorizationType: string, scopes: string[], createAuthorizer: (id: string) => apigwv2.IHttpRouteAuthorizer, jwt?: { issuer: string; audience: string[] }) {
    this.authorizationType = authorizationType;
    this.scopes = [...scopes];
    this._createAuthorizer = createAuthorizer;
    this._jwt = jwt;
  }
}
