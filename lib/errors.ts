import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The error every invalid SecureApi configuration throws at synth time: CDK's own `ValidationError`, so callers
 * branch on it as on any CDK construct's (`Errors.isValidationError(e)` from `aws-cdk-lib`), its `constructPath`
 * is the construct that rejected the value, and the CLI prints the construct tree it relates to.
 *
 * The message names the construct, its path, the prop, the rule and the offending value:
 * `SecureApi at 'Stack/Api': 'waf.ipRateLimit' must be an integer from 10 to 2000000000 (got 5)`.
 *
 * `ValidationError` is marked internal in aws-cdk-lib but exported from its entry point, and is what every
 * aws-cdk-lib construct throws; the peer dependency floor is a version that has it (test/package checks the floor).
 */
export function configError(scope: IConstruct, message: string): Error {
  return new ValidationError(ERROR_NAME, configMessage(scope, message), scope);
}

/** A configuration problem as its message reads, for the checks CDK runs at synth (`node.addValidation`). */
export function configMessage(scope: IConstruct, message: string): string {
  return `${constructLabel(scope)}: ${message}`;
}

/** The error's `name`: one literal string, as CDK's error codes are. */
const ERROR_NAME = 'SecureApiConfigError' as ConstructorParameters<typeof ValidationError>[0];

/** `SecureApi at 'Stack/Api'`: the class of the construct and its path. */
function constructLabel(scope: IConstruct): string {
  return `${scope.constructor.name} at '${scope.node.path}'`;
}
