import { unprocessable } from '../errors.ts';
import { cloneFhirJson } from '../format/json.ts';
import { elementInfo, typeElementsOf, type ElementInfo } from '../model/type-info.ts';
import { insertAt, listLength, setAt, type ElementValue } from './element-edit.ts';
import { isObject, type JsonObject, type PatchValue } from './fhirpath-patch-document.ts';

/** Element metadata for `key` on `type`, or undefined when either is unknown to the type tables. */
export function infoOf(type: string | undefined, key: string): ElementInfo | undefined {
  return type === undefined ? undefined : elementInfo(type, key);
}

/**
 * The JSON key an element named `name` gets on `type`: a choice element takes the type
 * suffix of its value (`deceased` + valueBoolean → `deceasedBoolean`). Throws when `type`
 * is known and has no such element.
 */
export function keyFor(type: string | undefined, name: string, value: PatchValue): string {
  if (type === undefined || typeElementsOf(type) === undefined) return name;
  if (elementInfo(type, name)) return name;
  const choice = value.kind === 'typed' ? `${name}${value.suffix}` : undefined;
  if (choice && elementInfo(type, choice)) return choice;
  throw unprocessable(`'${name}' is not an element of ${type}${choice ? ` (nor is '${choice}')` : ''}`);
}

/** Turns a patch value into JSON for an element of FHIR type `type` (undefined when unknown). */
export function toElementValue(value: PatchValue, type: string | undefined): ElementValue {
  if (value.kind === 'typed') {
    return {
      value: cloneFhirJson(value.value),
      ext: value.ext && cloneFhirJson(value.ext),
      text: value.text,
    };
  }
  const built: JsonObject = {};
  for (const part of value.parts) {
    const key = keyFor(type, part.name, part.value);
    const info = infoOf(type, key);
    const element = toElementValue(part.value, info?.type);
    checkShape(info, element, part.name);
    if (info?.array) insertAt(built, key, listLength(built, key), element);
    else if (built[key] !== undefined)
      throw unprocessable(`'${part.name}' is given more than once but is not a list`);
    else setAt(built, key, null, element);
  }
  return { value: built };
}

/** Rejects a complex value for a primitive element and vice versa. */
export function checkShape(info: ElementInfo | undefined, element: ElementValue, name: string): void {
  if (!info) return;
  if (info.primitive && isObject(element.value)) {
    throw unprocessable(`'${name}' is a primitive (${info.type}) but the value is complex`);
  }
  if (!info.primitive && !isObject(element.value)) {
    throw unprocessable(`'${name}' is a ${info.type} but the value is a primitive`);
  }
}
