/**
 * The parts of a TestScript the runner executes, normalised from R4 JSON, R4 XML or the R5
 * XML layout Nictiz uses. Anything the runner does not model stays out; an assert whose
 * kind it cannot evaluate keeps its raw form so the report can say why it was skipped.
 */
export interface ScriptFixture {
  id: string;
  reference?: string;
  autocreate: boolean;
  autodelete: boolean;
}

export interface ScriptVariable {
  name: string;
  defaultValue?: string;
  expression?: string;
  headerField?: string;
  path?: string;
  sourceId?: string;
  hint?: string;
}

export interface Operation {
  type?: string;
  resource?: string;
  label?: string;
  description?: string;
  accept?: string;
  contentType?: string;
  destination?: number;
  encodeRequestUrl: boolean;
  method?: string;
  params?: string;
  url?: string;
  requestHeader: { field: string; value: string }[];
  requestId?: string;
  responseId?: string;
  sourceId?: string;
  targetId?: string;
}

export interface Assert {
  label?: string;
  description?: string;
  direction: 'request' | 'response';
  compareToSourceId?: string;
  compareToSourceExpression?: string;
  compareToSourcePath?: string;
  contentType?: string;
  expression?: string;
  headerField?: string;
  minimumId?: string;
  navigationLinks?: boolean;
  operator?: string;
  path?: string;
  requestMethod?: string;
  requestURL?: string;
  resource?: string;
  response?: string;
  responseCode?: string;
  sourceId?: string;
  validateProfileId?: string;
  value?: string;
  warningOnly: boolean;
  stopTestOnFail: boolean;
  /** The id of a Touchstone rule (an extension naming external code). */
  rule?: string;
}

export type Action = { operation: Operation } | { assert: Assert };

export interface ScriptTest {
  name: string;
  actions: Action[];
}

export interface TestScript {
  id: string;
  name: string;
  /** File the script came from; fixture references resolve relative to it. */
  file: string;
  fixtures: ScriptFixture[];
  profiles: Map<string, string>;
  variables: ScriptVariable[];
  setup: Action[];
  tests: ScriptTest[];
  teardown: Action[];
}

/** A script with no actions, to report work that is not a TestScript (loading, a file that would not parse). */
export function placeholderScript(id: string, name: string, file: string): TestScript {
  return {
    id,
    name,
    file,
    fixtures: [],
    profiles: new Map(),
    variables: [],
    setup: [],
    tests: [],
    teardown: [],
  };
}
