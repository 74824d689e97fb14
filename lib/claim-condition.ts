import type { ClaimCondition as ClaimConditionConfig } from './common/route-model';

/**
 * A condition on one claim of the verified token, part of a route's access rule.
 *
 * ```ts fixture=with-imports
 * ClaimCondition.equalTo('tenant', 'acme');
 * ClaimCondition.oneOf('role', ['admin', 'auditor']);
 * ClaimCondition.includes('cognito:groups', 'admins');
 * ```
 *
 * The claim's name is used verbatim as a top-level key of the token payload.
 */
export class ClaimCondition {
  /**
   * The claim is strictly equal to this string.
   * @param claim the claim's name
   * @param value the string it must equal
   */
  public static equalTo(claim: string, value: string): ClaimCondition {
    return new ClaimCondition({ claim, equals: value });
  }

  /**
   * The claim is strictly equal to this number.
   * @param claim the claim's name
   * @param value the number it must equal
   */
  public static equalToNumber(claim: string, value: number): ClaimCondition {
    return new ClaimCondition({ claim, equals: value });
  }

  /**
   * The claim is strictly equal to this boolean, e.g. `email_verified` is `true`.
   * @param claim the claim's name
   * @param value the boolean it must equal
   */
  public static equalToBoolean(claim: string, value: boolean): ClaimCondition {
    return new ClaimCondition({ claim, equals: value });
  }

  /**
   * The claim is a string equal to one of these values.
   * @param claim the claim's name
   * @param values the strings it may equal
   */
  public static oneOf(claim: string, values: string[]): ClaimCondition {
    return new ClaimCondition({ claim, oneOf: values });
  }

  /**
   * The claim is a number equal to one of these values.
   * @param claim the claim's name
   * @param values the numbers it may equal
   */
  public static oneOfNumbers(claim: string, values: number[]): ClaimCondition {
    return new ClaimCondition({ claim, oneOf: values });
  }

  /**
   * Group membership: the claim is an array that contains this string, or a space-delimited string that contains
   * it as a whole word (a value with spaces can therefore only match an array claim).
   *
   * @param claim the claim's name
   * @param value the member the array or space-delimited claim must hold
   */
  public static includes(claim: string, value: string): ClaimCondition {
    return new ClaimCondition({ claim, includes: value });
  }

  /** The claim this condition reads. */
  public readonly claim: string;

  private constructor(private readonly config: ClaimConditionConfig) {
    this.claim = config.claim;
  }

  /**
   * The condition as the authorizer's route table carries it.
   * @internal
   */
  public _toConfig(): ClaimConditionConfig {
    return this.config;
  }
}
