import type { Verdict } from './asserts.ts';
import type { RunState } from './state.ts';

/**
 * Touchstone rules name external (Groovy) code. The ones the Nictiz sets use are implemented
 * here from their description; any other rule is skipped with its id.
 */
const RULES: Record<string, (state: RunState) => Verdict> = {
  // "The parameters in the request URL are all handled by the server, by inspecting the self link."
  'assert-response-queryParamsInSelfLink': (state) => {
    const exchange = state.last;
    const bundle = exchange?.response?.resource as
      { link?: { relation?: string; url?: string }[] } | undefined;
    const self = bundle?.link?.find((l) => l.relation === 'self')?.url;
    if (!exchange || !self) return { outcome: 'fail', detail: 'the response has no self link' };
    const asked = new URL(exchange.request.url).searchParams;
    const answered = new URL(self, exchange.request.url).searchParams;
    const missing = [...new Set(asked.keys())].filter(
      (k) => !asked.getAll(k).every((v) => answered.getAll(k).includes(v)),
    );
    return missing.length
      ? { outcome: 'fail', detail: `not in the self link: ${missing.join(', ')}` }
      : { outcome: 'pass', detail: 'every query parameter is in the self link' };
  },
};

export function runRule(ruleId: string, state: RunState): Verdict {
  const rule = RULES[ruleId];
  return rule
    ? rule(state)
    : { outcome: 'skip', detail: `rule '${ruleId}' is external code the runner does not have` };
}
