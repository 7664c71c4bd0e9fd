import { expect } from 'chai';
import { useFhirServer } from '../support/client.ts';
import { jsonHeaders } from '../support/harness.ts';
import {
  ask,
  entriesOf,
  linkOf,
  putAll,
  searchset,
  type Answer,
  type Json,
} from '../support/search-fixtures.ts';

/**
 * A typo must not widen a search: an unknown search parameter is a 400 unless the client asks
 * for `Prefer: handling=lenient`, and every answer about an unknown name (parameter or resource
 * type) says which known one is closest.
 */

const LENIENT = { Prefer: 'handling=lenient' };
const form = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body,
});

function issuesOf(a: Answer): Json[] {
  expect(a.body.resourceType, a.text.slice(0, 300)).to.equal('OperationOutcome');
  return a.body.issue as Json[];
}

/** A refusal with one error issue per name in `named`, each with its suggestion (or none). */
function expectRefused(
  a: Answer,
  status: number,
  code: string,
  named: [name: string, suggestion: string | undefined][],
): void {
  expect(a.status, a.text.slice(0, 300)).to.equal(status);
  const errors = issuesOf(a).filter((i) => i.severity === 'error');
  expect(errors.length, JSON.stringify(errors)).to.equal(named.length);
  named.forEach(([name, suggestion], k) => {
    const issue = errors[k]!;
    expect(issue.code).to.equal(code);
    expect(issue.diagnostics).to.include(`'${name}'`);
    if (suggestion === undefined) expect(issue.diagnostics).to.not.include('did you mean');
    else expect(issue.diagnostics).to.include(`did you mean '${suggestion}'?`);
  });
}

const unknownParameter = (a: Answer, name: string, suggestion?: string) =>
  expectRefused(a, 400, 'not-found', [[name, suggestion]]);

describe('search: unknown parameters are refused unless the client asks for leniency', function () {
  const env = useFhirServer();

  before(async () => {
    await putAll(env.server, [
      { resourceType: 'Patient', id: 'un-jansen', name: [{ family: 'Jansen' }] },
      { resourceType: 'Patient', id: 'un-devries', name: [{ family: 'de Vries' }] },
      {
        resourceType: 'Observation',
        id: 'un-obs',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: 'Patient/un-jansen' },
      },
    ]);
  });

  describe('by default (strict)', () => {
    it('GET Patient?nmae=Jansen is a 400 that suggests name', async () => {
      const a = await ask(env.server, 'Patient?nmae=Jansen');
      unknownParameter(a, 'nmae', 'name');
      expect(issuesOf(a)[0]!.diagnostics).to.equal(
        "Unknown search parameter 'nmae' for Patient — did you mean 'name'?",
      );
    });

    it('POST Patient/_search with the typo in the form body', async () => {
      unknownParameter(await ask(env.server, 'Patient/_search', form('nmae=Jansen')), 'nmae', 'name');
    });

    it('a modifier on an unknown name keeps the modifier in the suggestion', async () => {
      unknownParameter(await ask(env.server, 'Patient?nmae:exact=Jansen'), 'nmae:exact', 'name:exact');
    });

    it('a misspelt result parameter', async () => {
      unknownParameter(await ask(env.server, 'Patient?_sotr=family'), '_sotr', '_sort');
    });

    it('a name close to nothing gets no suggestion', async () => {
      unknownParameter(await ask(env.server, 'Patient?zzqqxx=1'), 'zzqqxx');
    });

    it('several unknown parameters: one issue each', async () => {
      const a = await ask(env.server, 'Patient?nmae=Jansen&family=jansen&brithdate=1970&nmae=x');
      expectRefused(a, 400, 'not-found', [
        ['nmae', 'name'],
        ['brithdate', 'birthdate'],
      ]);
    });

    it('explicit Prefer: handling=strict is the same', async () => {
      const a = await ask(env.server, 'Patient?nmae=Jansen', { headers: { Prefer: 'handling=strict' } });
      unknownParameter(a, 'nmae', 'name');
    });

    it('system search with _type: the suggestion comes from the types searched', async () => {
      const a = await ask(env.server, '?_type=Patient,Practitioner&nmae=Jansen');
      unknownParameter(a, 'nmae', 'name');
      expect(issuesOf(a)[0]!.diagnostics).to.include('for Patient, Practitioner');
    });

    it('system search without _type: only the parameters of every resource', async () => {
      unknownParameter(await ask(env.server, '?_lastUpdaetd=gt2000'), '_lastUpdaetd', '_lastUpdated');
      unknownParameter(await ask(env.server, '?_typ=Patient'), '_typ', '_type');
      // `name` is not a parameter of every resource, so it is neither known nor suggested here.
      unknownParameter(await ask(env.server, '?nmae=Jansen'), 'nmae');
    });

    it('a parameter some of the _type types know is applied, not refused', async () => {
      const b = await searchset(env.server, '?_type=Patient,Observation&family=jansen');
      expect(entriesOf(b)).to.deep.equal(['Patient/un-jansen']);
    });

    it('compartment search, one type and every type', async () => {
      unknownParameter(await ask(env.server, 'Patient/un-jansen/Observation?cdoe=8867-4'), 'cdoe', 'code');
      unknownParameter(
        await ask(env.server, 'Patient/un-jansen/*?_lastupdated=gt2000'),
        '_lastupdated',
        '_lastUpdated',
      );
    });

    it('typed and untyped chains name the unknown link and suggest one', async () => {
      const typed = await ask(env.server, 'Observation?subject:Patient.nmae=Jansen');
      unknownParameter(typed, 'nmae', 'name');
      expect(issuesOf(typed)[0]!.diagnostics).to.equal(
        "subject:Patient.nmae: unknown search parameter 'nmae' for Patient — did you mean 'name'?",
      );
      const untyped = await ask(env.server, 'Observation?subject.nmae=Jansen');
      unknownParameter(untyped, 'nmae', 'name');
      expect(issuesOf(untyped)[0]!.diagnostics).to.match(/^subject\.nmae: .* any target type of subject/);
      const head = await ask(env.server, 'Observation?subjet.name=Jansen');
      unknownParameter(head, 'subjet.name', 'subject.name');
      const type = await ask(env.server, 'Observation?subject:Patinet.name=Jansen');
      expectRefused(type, 400, 'invalid', [['Patinet', 'Patient']]);
    });

    it('_has with an unknown parameter, reference or type', async () => {
      const param = await ask(env.server, 'Patient?_has:Observation:subject:cdoe=8867-4');
      unknownParameter(param, 'cdoe', 'code');
      const ref = await ask(env.server, 'Patient?_has:Observation:subjetc:code=8867-4');
      expectRefused(ref, 400, 'invalid', [['subjetc', 'subject']]);
      const type = await ask(env.server, 'Patient?_has:Observaton:subject:code=8867-4');
      expectRefused(type, 400, 'invalid', [['Observaton', 'Observation']]);
    });

    it('_sort and _include name the closest parameter', async () => {
      expectRefused(await ask(env.server, 'Patient?_sort=fmaily'), 400, 'value', [['fmaily', 'family']]);
      expectRefused(await ask(env.server, 'Observation?_include=Observation:subjcet'), 400, 'value', [
        ['subjcet', 'subject'],
      ]);
    });

    it('a malformed value of a known parameter is still a 400, lenient or not', async () => {
      for (const headers of [{}, LENIENT]) {
        const a = await ask(env.server, 'Patient?birthdate=xx2020', { headers });
        expect(a.status).to.equal(400);
        expect(issuesOf(a)[0]!.diagnostics).to.include('birthdate');
      }
    });
  });

  describe('Prefer: handling=lenient', () => {
    it('ignores the unknown parameter and reports it, with the suggestion, in an outcome entry', async () => {
      const b = await searchset(env.server, 'Patient?nmae=Jansen', { headers: LENIENT });
      expect(entriesOf(b)).to.deep.equal(['Patient/un-devries', 'Patient/un-jansen']);
      const outcome = (b.entry as Json[]).find((e) => e.search.mode === 'outcome')!;
      expect(outcome.resource.issue).to.deep.equal([
        {
          severity: 'warning',
          code: 'not-supported',
          diagnostics: "Unknown search parameter 'nmae' for Patient — did you mean 'name'? (ignored)",
        },
      ]);
      expect(linkOf(b, 'self')).to.not.include('nmae');
    });

    it('POST _search, system and compartment searches too', async () => {
      const post = await searchset(env.server, 'Patient/_search', form('nmae=Jansen', LENIENT));
      expect(entriesOf(post, 'outcome')).to.have.length(1);
      const system = await searchset(env.server, '?_type=Patient&nmae=Jansen', { headers: LENIENT });
      expect(entriesOf(system)).to.deep.equal(['Patient/un-devries', 'Patient/un-jansen']);
      const compartment = await searchset(env.server, 'Patient/un-jansen/Observation?cdoe=x', {
        headers: LENIENT,
      });
      expect(entriesOf(compartment)).to.deep.equal(['Observation/un-obs']);
      expect(JSON.stringify(compartment.entry)).to.include("did you mean 'code'?");
    });

    it('does not make an unknown chain link or _has parameter acceptable', async () => {
      const chain = await ask(env.server, 'Observation?subject:Patient.nmae=Jansen', { headers: LENIENT });
      unknownParameter(chain, 'nmae', 'name');
      const has = await ask(env.server, 'Patient?_has:Observation:subject:cdoe=x', { headers: LENIENT });
      unknownParameter(has, 'cdoe', 'code');
    });
  });

  describe('conditional criteria stay strict', () => {
    it('a conditional update with a misspelt criterion is a 400, even when lenient', async () => {
      for (const headers of [{}, LENIENT]) {
        const res = await env.server.fetch('Patient?nmae=Jansen', {
          method: 'PUT',
          headers: jsonHeaders(headers),
          body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Jansen' }] }),
        });
        const a: Answer = { status: res.status, text: '', body: (await res.json()) as Json };
        unknownParameter(a, 'nmae', 'name');
      }
    });

    it('a conditional create (If-None-Exist) with a misspelt criterion is a 400', async () => {
      const res = await env.server.fetch('Patient', {
        method: 'POST',
        headers: jsonHeaders({ 'If-None-Exist': 'nmae=Jansen' }),
        body: JSON.stringify({ resourceType: 'Patient' }),
      });
      unknownParameter({ status: res.status, text: '', body: (await res.json()) as Json }, 'nmae', 'name');
    });
  });

  describe('Bundle entries follow the Prefer header of the request that carried the Bundle', () => {
    const bundle = (type: string, url: string) =>
      JSON.stringify({ resourceType: 'Bundle', type, entry: [{ request: { method: 'GET', url } }] });
    const post = async (body: string, headers: Record<string, string> = {}) => {
      const res = await env.server.fetch('', { method: 'POST', headers: jsonHeaders(headers), body });
      return { status: res.status, text: '', body: (await res.json()) as Json };
    };

    it('batch: the entry is a 400 by default and a searchset with a warning when lenient', async () => {
      const strict = await post(bundle('batch', 'Patient?nmae=Jansen'));
      expect(strict.status).to.equal(200);
      const response = strict.body.entry[0].response;
      expect(response.status).to.match(/^400/);
      expect(JSON.stringify(response.outcome)).to.include("did you mean 'name'?");

      const lenient = await post(bundle('batch', 'Patient?nmae=Jansen'), LENIENT);
      const entry = lenient.body.entry[0];
      expect(entry.response.status).to.match(/^200/);
      expect(entriesOf(entry.resource)).to.deep.equal(['Patient/un-devries', 'Patient/un-jansen']);
      expect(entriesOf(entry.resource, 'outcome')).to.have.length(1);
    });

    it('transaction: the whole transaction is refused by default, answered when lenient', async () => {
      const strict = await post(bundle('transaction', 'Patient?nmae=Jansen'));
      expect(strict.status).to.equal(400);
      expect(JSON.stringify(strict.body.issue)).to.include("did you mean 'name'?");
      const lenient = await post(bundle('transaction', 'Patient?nmae=Jansen'), LENIENT);
      expect(lenient.status).to.equal(200);
      expect(entriesOf(lenient.body.entry[0].resource)).to.have.length(2);
    });

    it('an entry for an unknown resource type suggests the type', async () => {
      const a = await post(bundle('batch', 'Patients?name=Jansen'));
      expect(a.body.entry[0].response.status).to.match(/^404/);
      expect(JSON.stringify(a.body.entry[0].response.outcome)).to.include("did you mean 'Patient'?");
    });
  });

  describe('$everything accepts only its own parameters', () => {
    it('a misspelt one is refused with the suggestion, lenient or not', async () => {
      for (const headers of [{}, LENIENT]) {
        const a = await ask(env.server, 'Patient/un-jansen/$everything?_sinse=2020', { headers });
        expectRefused(a, 400, 'not-supported', [['_sinse', '_since']]);
      }
    });

    it('a misspelt type in _type', async () => {
      const a = await ask(env.server, 'Patient/un-jansen/$everything?_type=Observaton');
      expectRefused(a, 400, 'value', [['Observaton', 'Observation']]);
    });
  });
});

describe('unknown resource types suggest the closest one', function () {
  const env = useFhirServer();

  const cases: [what: string, path: string, init: RequestInit, name: string, suggestion?: string][] = [
    ['GET /Patients', 'Patients', {}, 'Patients', 'Patient'],
    ['GET /patient', 'patient?name=x', {}, 'patient', 'Patient'],
    ['GET /Patients/1', 'Patients/1', {}, 'Patients', 'Patient'],
    [
      'POST /Patients',
      'Patients',
      { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ resourceType: 'Patient' }) },
      'Patients',
      'Patient',
    ],
    ['a compartment target', 'Patient/1/Observatons', {}, 'Observatons', 'Observation'],
    ['a name close to no type', 'Xyzzyq', {}, 'Xyzzyq', undefined],
  ];
  for (const [what, path, init, name, suggestion] of cases) {
    it(`${what} → 404 not-supported${suggestion ? `, did you mean '${suggestion}'` : ''}`, async () => {
      expectRefused(await ask(env.server, path, init), 404, 'not-supported', [[name, suggestion]]);
    });
  }

  it('POST and PUT to a misspelt type inside a transaction', async () => {
    for (const request of [
      { method: 'POST', url: 'Patients' },
      { method: 'PUT', url: 'Patients/tx-1' },
    ]) {
      const res = await env.server.fetch('', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [{ resource: { resourceType: 'Patient', id: 'tx-1' }, request }],
        }),
      });
      const a: Answer = { status: res.status, text: '', body: (await res.json()) as Json };
      expectRefused(a, 404, 'not-supported', [['Patients', 'Patient']]);
    }
  });

  it("the message reads: Unknown resource type 'Patients' — did you mean 'Patient'?", async () => {
    const a = await ask(env.server, 'Patients');
    expect(issuesOf(a)[0]!.diagnostics).to.equal(
      "Unknown resource type 'Patients' — did you mean 'Patient'?",
    );
  });

  it('_type in a system search', async () => {
    expectRefused(await ask(env.server, '?_type=Patient,Practitionr'), 400, 'value', [
      ['Practitionr', 'Practitioner'],
    ]);
  });

  it('source and target types of _include and _revinclude', async () => {
    const source = await ask(env.server, 'Observation?_include=Observaton:subject');
    expectRefused(source, 400, 'value', [['Observaton', 'Observation']]);
    const target = await ask(env.server, 'Observation?_include=Observation:subject:Patinet');
    expectRefused(target, 400, 'value', [['Patinet', 'Patient']]);
    const rev = await ask(env.server, 'Patient?_revinclude=Obsrvation:subject');
    expectRefused(rev, 400, 'value', [['Obsrvation', 'Observation']]);
  });
});
