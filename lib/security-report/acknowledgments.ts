/*
 * Acknowledgments (`Validations.of(construct).acknowledge({ id, reason })`): CDK records each one as construct
 * metadata of type `aws:cdk:acknowledged-rules` (`{ [qualified rule id]: reason }`), and a stack's metadata in the
 * cloud assembly carries those of its constructs. The report lists exactly what the assembly records; the packs'
 * decisions use the construct tree, as CDK does (aws-cdk-lib core/lib/private/collect-acknowledged-rule-ids.js).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Acknowledgment } from './report-model';

/** A metadata entry as the cloud assembly gives it: the construct path (with a leading `/`), type and data. */
export interface MetadataEntry {
  readonly path: string;
  readonly type: string;
  readonly data?: unknown;
}

/** The metadata type of acknowledgments. */
export const ACKNOWLEDGED_RULES = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** `SecureApiDemo/SecureApi/Api` from the assembly's `/SecureApiDemo/SecureApi/Api`. */
export function constructPathOf(metadataPath: string): string {
  return metadataPath.replace(/^\//, '');
}

/** Construct path of each logical id, from a stack's `aws:cdk:logicalId` metadata. */
export function pathsByLogicalId(entries: MetadataEntry[]): Map<string, string> {
  const paths = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, constructPathOf(entry.path));
  }
  return paths;
}

/** The acknowledgments a stack's metadata records, in metadata order. */
export function stackAcknowledgments(entries: MetadataEntry[], logicalIds: ReadonlyMap<string, string>): Acknowledgment[] {
  const idsByPath = new Map([...logicalIds].map(([id, p]) => [p, id]));
  const acks: Acknowledgment[] = [];
  for (const entry of entries) {
    if (entry.type !== ACKNOWLEDGED_RULES || entry.data === null || typeof entry.data !== 'object') continue;
    const constructPath = constructPathOf(entry.path);
    // A resource's own logical id, or that of its default child, as L2 constructs have one (`.../Resource`).
    const logicalId = idsByPath.get(constructPath) ?? idsByPath.get(`${constructPath}/Resource`) ?? idsByPath.get(`${constructPath}/Default`);
    for (const [ruleId, reason] of Object.entries(entry.data as Record<string, unknown>)) {
      acks.push({ ruleId, constructPath, ...(logicalId === undefined ? {} : { logicalId }), reason: String(reason) });
    }
  }
  return acks;
}

/** The acknowledgments of the construct tree, by qualified rule id, then by the construct path they are on. */
export type AcknowledgmentIndex = Map<string, Map<string, Acknowledgment>>;

/** Every acknowledgment of the tree under `root`, as CDK collects them to suppress findings. */
export function treeAcknowledgments(root: IConstruct): { index: AcknowledgmentIndex; outsideStacks: Acknowledgment[] } {
  const index: AcknowledgmentIndex = new Map();
  const outsideStacks: Acknowledgment[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== ACKNOWLEDGED_RULES || entry.data === null || typeof entry.data !== 'object') continue;
      for (const [ruleId, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        const ack: Acknowledgment = { ruleId, constructPath: construct.node.path, reason: String(reason) };
        if (!index.has(ruleId)) index.set(ruleId, new Map());
        index.get(ruleId)!.set(ack.constructPath, ack);
        if (!construct.node.scopes.some((scope) => Stack.isStack(scope))) outsideStacks.push(ack);
      }
    }
  }
  return { index, outsideStacks };
}
