import type { ClaimCondition as ClaimConditionConfig, ClaimRef } from './common/route-model';

/**
 * Claim names that read like a path into nested claims (`realm_access.roles`): identifiers joined by dots, without
 * the `://` of a namespaced claim such as `https://example.com/roles`.
 */
const DOTTED_PATH = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)+$/;

/**
 * Top-level claims that providers document as JSON objects: a condition on the object itself can never hold.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AddressClaim (`address`)
 * @see https://www.keycloak.org/docs/latest/server_admin/#_oidc_token_role_mappings (`realm_access`, `resource_access`)
 */
const OBJECT_CLAIMS: Record<string, string> = {
  realm_access: "ClaimPath.of('realm_access', 'roles')",
  resource_access: "ClaimPath.of('resource_access', '<client id>', 'roles')",
  address: "ClaimPath.of('address', 'country')",
};

/**
 * A claim of the verified token, for a condition on a route: a top-level claim, or a claim nested in JSON objects.
 *
 * ```ts fixture=with-imports
 * ClaimPath.of('realm_access', 'roles').includes('orders-admin');        // Keycloak realm roles
 * ClaimPath.of('resource_access', 'orders-api', 'roles').includes('writer'); // Keycloak client roles
 * ClaimPath.of('https://example.com/roles').includes('admin');          // an Auth0 namespaced claim
 * ```
 *
 * Each name is used verbatim, as one member name: `ClaimPath.of('a.b')` reads the top-level claim named `a.b`, and
 * `ClaimPath.of('a', 'b')` reads member `b` of the object claim `a`. Dots, colons and slashes in a name are never
 * separators.
 */
export class ClaimPath {
  /**
   * The claim at this path: the first name is a top-level claim, each further name a member of the object before it.
   * @param names one to eight member names, each non-empty
   */
  public static of(...names: string[]): ClaimPath {
    return new ClaimPath(names);
  }

  /** The member names, outermost first. */
  public readonly names: string[];

  private constructor(names: string[]) {
    this.names = [...names];
  }

  /**
   * The claim is strictly equal to this string.
   * @param value the string it must equal
   */
  public equalTo(value: string): ClaimCondition {
    return ClaimCondition._create(this.ref(), { equals: value }, true);
  }

  /**
   * The claim is strictly equal to this number.
   * @param value the number it must equal
   */
  public equalToNumber(value: number): ClaimCondition {
    return ClaimCondition._create(this.ref(), { equals: value }, true);
  }

  /**
   * The claim is strictly equal to this boolean.
   * @param value the boolean it must equal
   */
  public equalToBoolean(value: boolean): ClaimCondition {
    return ClaimCondition._create(this.ref(), { equals: value }, true);
  }

  /**
   * The claim is a string equal to one of these values.
   * @param values the strings it may equal
   */
  public oneOf(values: string[]): ClaimCondition {
    return ClaimCondition._create(this.ref(), { oneOf: values }, true);
  }

  /**
   * The claim is a number equal to one of these values.
   * @param values the numbers it may equal
   */
  public oneOfNumbers(values: number[]): ClaimCondition {
    return ClaimCondition._create(this.ref(), { oneOf: values }, true);
  }

  /**
   * Membership: the claim is an array that contains this string, or a space-delimited string that contains it as a
   * whole word.
   * @param value the member the array or space-delimited claim must hold
   */
  public includes(value: string): ClaimCondition {
    return ClaimCondition._create(this.ref(), { includes: value }, true);
  }

  private ref(): ClaimRef {
    return this.names.length === 1 ? this.names[0] : [...this.names];
  }
}

/**
 * A condition on one claim of the verified token, part of a route's access rule.
 *
 * ```ts fixture=with-imports
 * ClaimCondition.equalTo('tenant', 'acme');
 * ClaimCondition.oneOf('role', ['admin', 'auditor']);
 * ClaimCondition.includes('cognito:groups', 'admins');
 * ```
 *
 * The claim's name is used verbatim as a top-level key of the token payload. For a nested claim, or a top-level
 * claim whose name contains dots, use {@link ClaimPath}: a name such as `realm_access.roles` given here fails synth,
 * because tokens carry it as a nested object, not as a claim with a dotted name.
 */
export class ClaimCondition {
  /**
   * The claim is strictly equal to this string.
   * @param claim the claim's name
   * @param value the string it must equal
   */
  public static equalTo(claim: string, value: string): ClaimCondition {
    return new ClaimCondition(claim, { equals: value }, false);
  }

  /**
   * The claim is strictly equal to this number.
   * @param claim the claim's name
   * @param value the number it must equal
   */
  public static equalToNumber(claim: string, value: number): ClaimCondition {
    return new ClaimCondition(claim, { equals: value }, false);
  }

  /**
   * The claim is strictly equal to this boolean, e.g. `email_verified` is `true`.
   * @param claim the claim's name
   * @param value the boolean it must equal
   */
  public static equalToBoolean(claim: string, value: boolean): ClaimCondition {
    return new ClaimCondition(claim, { equals: value }, false);
  }

  /**
   * The claim is a string equal to one of these values.
   * @param claim the claim's name
   * @param values the strings it may equal
   */
  public static oneOf(claim: string, values: string[]): ClaimCondition {
    return new ClaimCondition(claim, { oneOf: values }, false);
  }

  /**
   * The claim is a number equal to one of these values.
   * @param claim the claim's name
   * @param values the numbers it may equal
   */
  public static oneOfNumbers(claim: string, values: number[]): ClaimCondition {
    return new ClaimCondition(claim, { oneOf: values }, false);
  }

  /**
   * Group membership: the claim is an array that contains this string, or a space-delimited string that contains
   * it as a whole word (a value with spaces can therefore only match an array claim).
   *
   * @param claim the claim's name
   * @param value the member the array or space-delimited claim must hold
   */
  public static includes(claim: string, value: string): ClaimCondition {
    return new ClaimCondition(claim, { includes: value }, false);
  }

  /**
   * A condition built by {@link ClaimPath}.
   * @internal
   */
  public static _create(claim: ClaimRef, operator: Omit<ClaimConditionConfig, 'claim'>, explicitPath: boolean): ClaimCondition {
    return new ClaimCondition(claim, operator, explicitPath);
  }

  /** The top-level claim this condition reads (for a nested claim, the outermost object). */
  public readonly claim: string;
  /** The member names this condition reads, outermost first: one name for a top-level claim. */
  public readonly path: string[];

  private readonly config: ClaimConditionConfig;

  private constructor(claim: ClaimRef, operator: Omit<ClaimConditionConfig, 'claim'>, private readonly explicitPath: boolean) {
    this.path = Array.isArray(claim) ? [...claim] : [claim];
    this.claim = this.path[0];
    this.config = { claim, ...operator };
  }

  /**
   * The condition as the authorizer's route table carries it.
   * @internal
   */
  public _toConfig(): ClaimConditionConfig {
    return this.config;
  }

  /**
   * Why this condition can never hold in the tokens providers document, or undefined. A name given to the static
   * factories that reads like a dotted path is refused (tokens nest such claims); `ClaimPath` takes names verbatim.
   * @internal
   */
  public _neverMatches(): string | undefined {
    const [first] = this.path;
    if (!this.explicitPath && typeof first === 'string' && DOTTED_PATH.test(first)) {
      const names = first.split('.').map((name) => `'${name}'`).join(', ');
      return `claim '${first}' reads like a path into nested claims, but claim names are used verbatim: use `
        + `ClaimPath.of(${names}) for the nested claim, or ClaimPath.of('${first}') if the token really has a claim with this name`;
    }
    if (this.path.length === 1 && typeof first === 'string' && Object.prototype.hasOwnProperty.call(OBJECT_CLAIMS, first)) {
      return `claim '${first}' is a JSON object in the tokens that carry it, so a condition on it can never hold: `
        + `name the member, e.g. ${OBJECT_CLAIMS[first]}`;
    }
    return undefined;
  }
}
