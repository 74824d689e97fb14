/** Small readers of synthesized template resources, shared by the local model's builders. */
import { CfnResource, CfnTemplate } from './intrinsics';

/** The resources of one type, with their logical ids. */
export function ofType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** A resource's properties, or none. */
export function props(resource: CfnResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

/** A finite number (or numeric string), else the fallback. */
export function num(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}
