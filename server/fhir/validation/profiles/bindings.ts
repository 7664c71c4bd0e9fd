/** Required bindings: the coded value must be in the ValueSet, when the server holds its expansion. */
import type { OperationOutcomeIssue } from '../../outcome.ts';
import type { Item } from './items.ts';
import type { CodeSet, ProfileRegistry } from './registry.ts';
import type { ElementDefinition } from './types.ts';
import { isObject } from './values.ts';

interface Code {
  system?: string;
  code?: string;
}

function codingsOf(item: Item): { codes: Code[]; kind: 'code' | 'Coding' | 'CodeableConcept' | 'other' } {
  const v = item.value;
  if (typeof v === 'string') return { codes: [{ code: v }], kind: 'code' };
  if (!isObject(v)) return { codes: [], kind: 'other' };
  if (item.type === 'CodeableConcept' || Array.isArray(v.coding)) {
    const codings = Array.isArray(v.coding) ? v.coding.filter(isObject) : [];
    return { codes: codings.map((c) => ({ system: str(c.system), code: str(c.code) })), kind: 'CodeableConcept' };
  }
  if (item.type === 'Coding' || item.type === 'Quantity' || 'code' in v || 'system' in v) {
    return { codes: [{ system: str(v.system), code: str(v.code) }], kind: 'Coding' };
  }
  return { codes: [], kind: 'other' };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const inSet = (set: CodeSet, c: Code): boolean => c.code !== undefined && set.has(c.system, c.code);

/** True / false when decidable; undefined when the ValueSet is not held or the value is not coded. */
export function valueInValueSet(registry: ProfileRegistry, valueSet: string, item: Item): boolean | undefined {
  const set = registry.valueSet(valueSet);
  if (!set) return undefined;
  const { codes, kind } = codingsOf(item);
  if (kind === 'other') return undefined;
  if (kind === 'Coding' && codes[0]?.code === undefined) return undefined; // a Quantity without a code
  return codes.some((c) => inSet(set, c));
}

/** Issues for one value of an element with a required binding. */
export function checkRequiredBinding(
  registry: ProfileRegistry,
  def: ElementDefinition,
  item: Item,
): OperationOutcomeIssue[] {
  const binding = def.binding;
  if (binding?.strength !== 'required' || !binding.valueSet || item.value === undefined) return [];
  const valueSet = binding.valueSet;
  if (!registry.valueSet(valueSet)) {
    return [
      {
        severity: 'information',
        code: 'not-supported',
        diagnostics: `Required binding of ${def.id} to ValueSet ${valueSet} was not checked: the ValueSet is not available on this server`,
        expression: [item.location],
      },
    ];
  }
  const verdict = valueInValueSet(registry, valueSet, item);
  if (verdict !== false) return [];
  const { codes } = codingsOf(item);
  const shown = codes.length
    ? codes.map((c) => (c.system ? `${c.system}|${c.code ?? ''}` : (c.code ?? ''))).join(', ')
    : 'no coding';
  return [
    {
      severity: 'error',
      code: 'code-invalid',
      diagnostics: `${def.id}: ${shown} is not in the required ValueSet ${valueSet}`,
      expression: [item.location],
    },
  ];
}
