import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { runSuites } from '../../conformance/runner/run-suites.ts';
import type { ScriptResult } from '../../conformance/runner/run-script.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { NOT_NL_CORE_PATIENT } from '../support/nl-core-samples.ts';

const run = promisify(execFile);
const op = (code: string, extra: Record<string, unknown> = {}) => ({
  operation: {
    type: { system: 'http://terminology.hl7.org/CodeSystem/testscript-operation-codes', code },
    encodeRequestUrl: true,
    ...extra,
  },
});
const assert = (a: Record<string, unknown>) => ({ assert: { warningOnly: false, ...a } });

function script(id: string, actions: unknown[], extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'TestScript',
    id,
    name: id,
    status: 'active',
    test: [{ name: `${id} test`, action: actions }],
    ...extra,
  };
}

const patient = {
  resourceType: 'Patient',
  name: [{ family: 'Runner', given: ['Rita'] }],
  birthDate: '1970-01-01',
};

/** The asserts of one script as [outcome, detail] pairs. */
function outcomes(r: ScriptResult): [string, string][] {
  return r.phases.flatMap((p) =>
    p.results.filter((a) => a.kind === 'assert').map((a) => [a.outcome, a.detail] as [string, string]),
  );
}

describe('TestScript runner against a real server', function () {
  this.timeout(120_000);
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'testscripts-'));
    writeFileSync(join(dir, 'Patient-rita.json'), JSON.stringify({ ...patient, id: 'rita' }));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  async function runOne(
    s: unknown,
    extra: Partial<Parameters<typeof runSuites>[0]> = {},
  ): Promise<ScriptResult> {
    const file = join(dir, `${(s as { id: string }).id}.json`);
    writeFileSync(file, JSON.stringify(s));
    const { results } = await runSuites({
      bases: [server.base],
      authorization: server.authorization,
      scripts: [file],
      print: () => {},
      ...extra,
    });
    return results[0]!;
  }

  it('creates from a fixture, captures Location into a variable, reads it back and checks it', async () => {
    const r = await runOne(
      script(
        'create-read',
        [
          op('create', {
            resource: 'Patient',
            sourceId: 'pat',
            contentType: 'xml',
            accept: 'json',
            responseId: 'created',
          }),
          assert({ response: 'created' }),
          assert({ headerField: 'Location', operator: 'notEmpty' }),
          op('read', { url: '${loc}', accept: 'xml', responseId: 'read' }),
          assert({ responseCode: '200' }),
          assert({ contentType: 'xml' }),
          assert({ resource: 'Patient' }),
          assert({ expression: "Patient.name.family = 'Runner'" }),
          assert({ path: 'fhir:Patient/fhir:name/fhir:given/@value', value: 'Rita' }),
          assert({ compareToSourceId: 'pat', compareToSourceExpression: 'Patient.birthDate' }),
          assert({ minimumId: 'pat' }),
          assert({ validateProfileId: 'p' }),
          assert({ expression: 'Patient.id', value: '${id}' }),
        ],
        {
          fixture: [
            { id: 'pat', autocreate: false, autodelete: false, resource: { reference: 'Patient/rita' } },
          ],
          profile: [{ id: 'p', reference: 'http://hl7.org/fhir/StructureDefinition/Patient' }],
          variable: [
            { name: 'loc', headerField: 'Location', sourceId: 'created' },
            { name: 'id', expression: 'Patient.id', sourceId: 'read' },
          ],
        },
      ),
    );
    expect(outcomes(r).filter(([o]) => o !== 'pass')).to.deep.equal([]);
    expect(outcomes(r)).to.have.length(11);
  });

  it('a wrong assert fails, and a failed stopTestOnFail assert skips the rest of the test', async () => {
    const r = await runOne(
      script('wrong', [
        op('search', { resource: 'Patient', params: '?family=Runner', accept: 'json' }),
        assert({ expression: 'Bundle.type', value: 'history' }),
        assert({ expression: "Bundle.entry.resource.where(name.family = 'Runner').exists()" }),
        assert({ responseCode: '404', stopTestOnFail: true }),
        assert({ resource: 'Bundle' }),
      ]),
    );
    expect(outcomes(r).map(([o]) => o)).to.deep.equal(['fail', 'pass', 'fail', 'skip']);
    expect(outcomes(r)[0]![1]).to.contain('found "searchset", expected  \'history\'');
  });

  it('what it cannot evaluate is skipped with the reason, never passed', async () => {
    const r = await runOne(
      script(
        'unsupported',
        [
          op('read', { resource: 'Patient', params: '/rita-does-not-exist', accept: 'json' }),
          assert({ path: 'fhir:Patient/fhir:name[1]/fhir:family/@value', value: 'x' }),
          assert({ validateProfileId: 'nl' }),
          assert({ operator: 'manualEval', responseCode: '404' }),
          {
            assert: {
              warningOnly: false,
              extension: [
                {
                  url: 'http://touchstone.aegis.net/touchstone/fhir/testing/StructureDefinition/testscript-assert-rule',
                  extension: [{ url: 'ruleId', valueId: 'some-groovy-rule' }],
                },
              ],
            },
          },
        ],
        { profile: [{ id: 'nl', reference: 'http://example.org/StructureDefinition/not-loaded' }] },
      ),
    );
    const got = outcomes(r);
    expect(got.map(([o]) => o)).to.deep.equal(['skip', 'skip', 'skip', 'skip']);
    expect(got.map(([, d]) => d).join('\n')).to.match(
      /XPath[\s\S]*not loaded[\s\S]*manualEval[\s\S]*some-groovy-rule/,
    );
  });

  it('an operation type it does not know is an error (counted as failed), not a guessed GET', async () => {
    const r = await runOne(
      script('unknown-op', [op('everything', { resource: 'Patient' }), assert({ response: 'okay' })]),
    );
    const [operation, after] = r.phases.flatMap((p) => p.results);
    expect(operation?.outcome).to.equal('error');
    expect(operation?.detail).to.contain("operation type 'everything' is not supported");
    expect(after?.outcome).to.equal('skip');
  });

  it('validateProfileId checks an nl-core profile: the official example passes, a bad Patient fails', async () => {
    const nl = 'http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient';
    const bad = { ...NOT_NL_CORE_PATIENT, id: 'not-nl-core' };
    writeFileSync(join(dir, 'bad-patient.json'), JSON.stringify(bad));
    const example = new URL('../fixtures/nictiz/zib2020-examples/nl-core-Patient-01.xml', import.meta.url)
      .pathname;
    const r = await runOne(
      script(
        'nl-profile',
        [
          op('update', {
            resource: 'Patient',
            params: '/nl-core-Patient-01',
            sourceId: 'good',
            contentType: 'xml',
          }),
          op('read', { resource: 'Patient', params: '/nl-core-Patient-01', accept: 'xml' }),
          assert({ validateProfileId: 'nl' }),
          op('update', { resource: 'Patient', params: '/not-nl-core', sourceId: 'bad', contentType: 'json' }),
          op('read', { resource: 'Patient', params: '/not-nl-core', accept: 'json' }),
          assert({ validateProfileId: 'nl' }),
        ],
        {
          fixture: [
            { id: 'good', autocreate: false, autodelete: false, resource: { reference: example } },
            { id: 'bad', autocreate: false, autodelete: false, resource: { reference: 'bad-patient.json' } },
          ],
          profile: [{ id: 'nl', reference: nl }],
        },
      ),
    );
    const got = outcomes(r);
    expect(got.map(([o]) => o)).to.deep.equal(['pass', 'fail']);
    expect(got[1]![1]).to.contain(nl);
  });

  it("sends the server's own token in place of the set's (QualificationTokens.json), by patient id", async () => {
    const set = join(dir, 'set');
    mkdirSync(join(set, 'Configuration'), { recursive: true });
    mkdirSync(join(set, 'Scripts'), { recursive: true });
    writeFileSync(
      join(set, 'Configuration/QualificationTokens.json'),
      JSON.stringify([{ accessToken: 'Bearer script-token', resourceId: 'p1' }]),
    );
    const file = join(set, 'Scripts/tokens.json');
    writeFileSync(
      file,
      JSON.stringify(
        script(
          'tokens',
          [
            op('read', {
              resource: 'Patient',
              params: '/rita',
              requestHeader: [{ field: 'Authorization', value: '${token}' }],
            }),
            assert({ direction: 'request', headerField: 'Authorization', value: 'Bearer server-token' }),
          ],
          { variable: [{ name: 'token', defaultValue: 'Bearer script-token' }] },
        ),
      ),
    );
    const mapped = await runSuites({
      bases: [server.base],
      authorization: server.authorization,
      scripts: [file],
      print: () => {},
      serverTokens: [{ accessToken: 'server-token', resourceId: 'p1' }],
    });
    expect(outcomes(mapped.results[0]!).map(([o]) => o)).to.deep.equal(['pass']);
    const unmapped = await runSuites({
      bases: [server.base],
      authorization: server.authorization,
      scripts: [file],
      print: () => {},
    });
    expect(outcomes(unmapped.results[0]!).map(([o]) => o)).to.deep.equal(['fail']);
  });

  it('the CLI prints per-script results and a last line with the counts, and exits 1 on a failure', async () => {
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(
      good,
      JSON.stringify(
        script('good', [op('capabilities', { accept: 'json' }), assert({ resource: 'CapabilityStatement' })]),
      ),
    );
    writeFileSync(
      bad,
      JSON.stringify(
        script('bad', [op('capabilities', { accept: 'json' }), assert({ resource: 'Patient' })]),
      ),
    );
    const cli = ['--import', 'tsx', 'conformance/runner/cli.ts', '--base', server.base, '--scripts'];
    const ok = await run(process.execPath, [...cli, good]);
    expect(ok.stdout.trim().split('\n').at(-1)).to.equal('1 passed, 0 failed, 0 skipped');
    const failed = await run(process.execPath, [...cli, good, bad]).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed?.code).to.equal(1);
    expect(failed?.stdout).to.match(/^FAIL {2}bad /m);
    expect(failed?.stdout.trim().split('\n').at(-1)).to.equal('1 passed, 1 failed, 0 skipped');
  });
});
