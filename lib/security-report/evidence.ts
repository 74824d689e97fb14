/*
 * Building blocks of the report's controls: a piece of evidence is one property of one resource, read from the
 * template; a control's status follows from its evidence.
 */
import { Control, ControlStatus, Evidence } from './report-model';
import { LocatedResource, valueAt } from './template';

/** Evidence that `resource`'s `property` does (or does not) meet a control. */
export function evidence(resource: LocatedResource, property: string, satisfied: boolean, summary: string, exception?: string): Evidence {
  const value = valueAt(resource.properties, property);
  return {
    logicalId: resource.logicalId,
    resourceType: resource.type,
    constructPath: resource.constructPath,
    property,
    ...(value === undefined ? {} : { value }),
    satisfied,
    summary,
    ...(exception === undefined ? {} : { exception }),
  };
}

/**
 * A control with its status: present when every piece of evidence that is not an exception is satisfied, partial
 * when some is, absent when none is or the template has nothing it applies to.
 */
export function control(id: string, title: string, items: Evidence[], absentNote: string, note?: string): Control {
  const counted = items.filter((e) => e.exception === undefined);
  const satisfied = counted.filter((e) => e.satisfied).length;
  const status: ControlStatus = counted.length === 0 || satisfied === 0 ? 'absent' : satisfied === counted.length ? 'present' : 'partial';
  const shownNote = status === 'absent' ? (items.length === 0 ? absentNote : note ?? absentNote) : note;
  return { id, title, status, evidence: items, ...(shownNote === undefined ? {} : { note: shownNote }) };
}

/** `yes` / `no` for a boolean-ish property. */
export function yesNo(value: unknown): string {
  return value === true || value === 'true' ? 'yes' : 'no';
}
