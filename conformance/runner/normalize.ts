import type { Action, Assert, Operation, ScriptTest, TestScript } from './model.ts';

/** Loose input: R4 JSON as is, or the tree of xml-tree.ts (every element a list). */
type Any = unknown;
type Obj = Record<string, unknown>;

function list(v: Any): Any[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}
function obj(v: Any): Obj | undefined {
  const first = list(v)[0];
  return first !== null && typeof first === 'object' ? (first as Obj) : undefined;
}
function str(v: Any): string | undefined {
  const first = list(v)[0];
  if (typeof first === 'string') return first;
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  // An XML primitive that also carried an id attribute: { id, value }.
  if (first && typeof first === 'object' && typeof (first as Obj).value === 'string') {
    return (first as Obj).value as string;
  }
  return undefined;
}
function bool(v: Any, fallback: boolean): boolean {
  const s = str(v);
  return s === undefined ? fallback : s === 'true';
}

function operation(o: Obj): Operation {
  const type = obj(o.type);
  const destination = str(o.destination);
  return {
    type: type ? str(type.code) : undefined,
    resource: str(o.resource),
    label: str(o.label),
    description: str(o.description),
    accept: str(o.accept),
    contentType: str(o.contentType),
    destination: destination === undefined ? undefined : Number(destination),
    encodeRequestUrl: bool(o.encodeRequestUrl, true),
    method: str(o.method),
    params: str(o.params),
    url: str(o.url),
    requestHeader: list(o.requestHeader).map((h) => ({
      field: str((h as Obj).field) ?? '',
      value: str((h as Obj).value) ?? '',
    })),
    requestId: str(o.requestId),
    responseId: str(o.responseId),
    sourceId: str(o.sourceId),
    targetId: str(o.targetId),
  };
}

function assertion(a: Obj): Assert {
  const keys = [
    'label',
    'description',
    'compareToSourceId',
    'compareToSourceExpression',
    'compareToSourcePath',
    'contentType',
    'expression',
    'headerField',
    'minimumId',
    'operator',
    'path',
    'requestMethod',
    'requestURL',
    'resource',
    'response',
    'responseCode',
    'sourceId',
    'validateProfileId',
    'value',
  ] as const;
  const out: Assert = {
    direction: str(a.direction) === 'request' ? 'request' : 'response',
    warningOnly: bool(a.warningOnly, false),
    stopTestOnFail: bool(a.stopTestOnFail, false),
  };
  for (const k of keys) {
    const v = str(a[k]);
    if (v !== undefined) out[k] = v;
  }
  if (a.navigationLinks !== undefined) out.navigationLinks = bool(a.navigationLinks, false);
  const rule = list(a.extension).find((e) => /testscript-(assert-)?rule$/.test(String((e as Obj).url)));
  if (rule) {
    const ruleId = list((rule as Obj).extension).find((e) => (e as Obj).url === 'ruleId');
    out.rule = str((ruleId as Obj | undefined)?.valueId) ?? 'unnamed rule';
  } else if (a.rule !== undefined) {
    out.rule = str(obj(a.rule)?.ruleId) ?? 'unnamed rule';
  }
  return out;
}

function actions(v: Any): Action[] {
  const out: Action[] = [];
  for (const a of list(v)) {
    const op = obj((a as Obj).operation);
    const as = obj((a as Obj).assert);
    if (op) out.push({ operation: operation(op) });
    if (as) out.push({ assert: assertion(as) });
  }
  return out;
}

export function normalizeTestScript(raw: Obj, file: string): TestScript {
  const profiles = new Map<string, string>();
  for (const p of list(raw.profile)) {
    const po = p as Obj;
    const url = str(po.reference) ?? str(po.value);
    const id = str(po.id);
    if (id && url) profiles.set(id, url);
  }
  const tests: ScriptTest[] = list(raw.test).map((t, i) => ({
    name: str((t as Obj).name) ?? str((t as Obj).id) ?? `test ${i + 1}`,
    actions: actions((t as Obj).action),
  }));
  return {
    id: str(raw.id) ?? file,
    name: str(raw.title) ?? str(raw.name) ?? str(raw.id) ?? file,
    file,
    fixtures: list(raw.fixture).map((f) => {
      const fo = f as Obj;
      return {
        id: str(fo.id) ?? '',
        reference: str(obj(fo.resource)?.reference),
        autocreate: bool(fo.autocreate, false),
        autodelete: bool(fo.autodelete, false),
      };
    }),
    profiles,
    variables: list(raw.variable).map((v) => {
      const vo = v as Obj;
      return {
        name: str(vo.name) ?? '',
        defaultValue: str(vo.defaultValue),
        expression: str(vo.expression),
        headerField: str(vo.headerField),
        path: str(vo.path),
        sourceId: str(vo.sourceId),
        hint: str(vo.hint),
      };
    }),
    setup: actions(obj(raw.setup)?.action),
    tests,
    teardown: actions(obj(raw.teardown)?.action),
  };
}
