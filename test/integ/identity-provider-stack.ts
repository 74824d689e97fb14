import { Aws, Duration, Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The two API clients of the deploy test: one may only read items, the other may read and write. */
export type TestClient = 'reader' | 'writer';

/**
 * The deploy test's identity provider: an Amazon Cognito user pool with a domain (its OAuth 2.0 token endpoint),
 * a resource server with `items/read` and `items/write`, and one machine-to-machine app client per test client
 * (client credentials grant, with a secret that stays in Cognito).
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
 */
export class IdentityProviderStack extends Stack {
  /** The user pool: the token issuer the API trusts. */
  public readonly userPool: cognito.UserPool;
  /** The app clients by test client. */
  public readonly clients: Record<TestClient, cognito.UserPoolClient>;
  /** The full scope names, as they appear in the tokens' `scope` claim. */
  public readonly readScope: string;
  public readonly writeScope: string;
  /** The token endpoint. */
  public readonly tokenUrl: string;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // M2M clients only: nobody signs up or in.
      selfSignUpEnabled: false,
      // The client credentials grant is in every plan; Lite is the one without a per-user price.
      // @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
      featurePlan: cognito.FeaturePlan.LITE,
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Prefix domains are unique per region across all accounts: take the stack's own UUID.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: Fn.join('-', ['secure-api-integ', stackUuid]) },
    });
    this.tokenUrl = `${domain.baseUrl()}/oauth2/token`;

    const read = new cognito.ResourceServerScope({ scopeName: 'read', scopeDescription: 'Read items' });
    const write = new cognito.ResourceServerScope({ scopeName: 'write', scopeDescription: 'Create, change and delete items' });
    const items = this.userPool.addResourceServer('Items', { identifier: 'items', scopes: [read, write] });
    const readScope = cognito.OAuthScope.resourceServer(items, read);
    const writeScope = cognito.OAuthScope.resourceServer(items, write);
    this.readScope = readScope.scopeName;
    this.writeScope = writeScope.scopeName;

    const m2mClient = (clientId: string, scopes: cognito.OAuthScope[]) => this.userPool.addClient(clientId, {
      generateSecret: true,
      oAuth: { flows: { clientCredentials: true }, scopes },
      accessTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });
    this.clients = {
      reader: m2mClient('Reader', [readScope]),
      writer: m2mClient('Writer', [readScope, writeScope]),
    };
  }
}
