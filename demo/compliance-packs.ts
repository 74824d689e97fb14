import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { SecurityReport } from '../lib';
import { FocusedCfnGuardValidator } from './focused-cfn-guard';

/**
 * Runs the compliance packs on every stack of an app at synth: cdk-nag AwsSolutions, Serverless, NIST 800-53 R5,
 * PCI DSS 3.2.1 and HIPAA Security, and the AWS Control Tower proactive controls through cfn-guard (the rules that
 * can apply to the templates' resource types: `FocusedCfnGuardValidator`), through `SecurityReport.addPacks`, which
 * writes security-report.md and security-report.json into the cloud assembly.
 * Synth fails on any finding that is not acknowledged with `Validations.of(construct).acknowledge()`.
 */
export function addCompliancePacks(app: IConstruct): SecurityReport {
  return SecurityReport.addPacks(app, [
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new HIPAASecurityChecks(app),
    new FocusedCfnGuardValidator(),
  ]);
}
