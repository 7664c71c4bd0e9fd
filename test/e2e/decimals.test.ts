import { expect } from 'chai';
import { useFhirServer } from '../support/client.ts';
import { FHIR_JSON, FHIR_XML } from '../support/harness.ts';

type Json = Record<string, any>;

/** Decimals as a lab writes them; each must come back byte for byte (FHIR R4 datatypes: decimal). */
const WRITTEN = ['5.0', '0.010', '100', '1.50e2', '0.1234567890123456789', '1E-3'];

const observationText = (patient: string, value = '5.0') =>
  `{"resourceType":"Observation","status":"final","code":{"text":"Kalium"},` +
  `"subject":{"reference":"Patient/${patient}"},` +
  `"valueQuantity":{"value":${value},"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"},` +
  `"referenceRange":[{"low":{"value":0.010},"high":{"value":100}},{"low":{"value":1.50e2}},` +
  `{"low":{"value":0.1234567890123456789},"high":{"value":1E-3}}]}`;

/** Every written decimal appears as written in `text` (JSON or XML). */
function expectWritten(text: string, format: 'json' | 'xml' = 'json', values = WRITTEN): void {
  for (const v of values) {
    expect(text, v).to.contain(format === 'json' ? `"value":${v}` : `<value value="${v}"/>`);
  }
}

describe('Decimals keep their written precision, end to end (HTTP)', () => {
  const env = useFhirServer();
  let patient: string;
  let id: string;

  const text = async (path: string, init: RequestInit = {}, status = 200) => {
    const res = await env.server.fetch(path, init);
    const body = await res.text();
    expect(res.status, `${path}: ${body}`).to.equal(status);
    return body;
  };
  const post = (path: string, body: string, extra: Record<string, string> = {}, status = 201) =>
    text(path, { method: 'POST', headers: { 'Content-Type': FHIR_JSON, ...extra }, body }, status);
  const put = (path: string, body: string, status = 200) =>
    text(path, { method: 'PUT', headers: { 'Content-Type': FHIR_JSON }, body }, status);
  const patch = (path: string, contentType: string, body: string) =>
    text(path, { method: 'PATCH', headers: { 'Content-Type': contentType }, body });

  before(async () => {
    patient = (JSON.parse(await post('Patient', '{"resourceType":"Patient","active":true}')) as Json)
      .id as string;
    const created = await post('Observation', observationText(patient));
    expectWritten(created);
    id = (JSON.parse(created) as Json).id as string;
  });

  it('read, vread, search, history, _elements, $everything and XML give back the written text', async () => {
    expectWritten(await text(`Observation/${id}`));
    expectWritten(await text(`Observation/${id}?_pretty=true`).then((t) => t.replace(/": /g, '":')));
    expectWritten(await text(`Observation/${id}/_history/1`));
    expectWritten(await text(`Observation?_id=${id}`));
    expectWritten(await text(`Observation/${id}/_history`));
    expectWritten(await text(`Observation?_id=${id}&_elements=value,referenceRange`));
    expectWritten(await text(`Patient/${patient}/$everything`));
    const xml = await text(`Observation/${id}`, { headers: { Accept: FHIR_XML } });
    expectWritten(xml, 'xml');
  });

  it('a number or quantity search still finds it by value', async () => {
    for (const query of [
      'value-quantity=5.0',
      'value-quantity=5',
      'value-quantity=5.0|http://unitsofmeasure.org|mmol/L',
    ]) {
      const bundle = JSON.parse(await text(`Observation?subject=Patient/${patient}&${query}`)) as Json;
      expect(
        bundle.entry?.map((e: Json) => e.resource.id),
        query,
      ).to.deep.equal([id]);
    }
    const none = JSON.parse(await text(`Observation?subject=Patient/${patient}&value-quantity=6`)) as Json;
    expect(none.entry ?? []).to.deep.equal([]);
  });

  it('a transaction Bundle answers with the written text', async () => {
    const bundle =
      `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:0b7e6c1e-1c54-4c5e-9d55-2f1c1b8b9a01",` +
      `"resource":${observationText(patient)},"request":{"method":"POST","url":"Observation"}}]}`;
    const answer = await post('', bundle, { Prefer: 'return=representation' }, 200);
    expectWritten(answer);
    const stored = (JSON.parse(answer) as Json).entry[0].response.location.split('/_history')[0];
    expectWritten(await text(stored));
  });

  it('XML in with value="5.0" is JSON out 5.0', async () => {
    const xml =
      '<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="Kalium"/></code>' +
      `<subject><reference value="Patient/${patient}"/></subject>` +
      '<valueQuantity><value value="5.0"/><unit value="mmol/L"/></valueQuantity>' +
      '<referenceRange><low><value value="0.010"/></low><high><value value="1.50e2"/></high></referenceRange>' +
      '</Observation>';
    const created = await text(
      'Observation',
      {
        method: 'POST',
        headers: { 'Content-Type': FHIR_XML, Accept: FHIR_JSON },
        body: xml,
      },
      201,
    );
    expectWritten(created, 'json', ['5.0', '0.010', '1.50e2']);
    const newId = (JSON.parse(created) as Json).id as string;
    expectWritten(await text(`Observation/${newId}`), 'json', ['5.0', '0.010', '1.50e2']);
  });

  it('PATCH of another field keeps 5.0; a PATCH setting 2.50 stores 2.50', async () => {
    const jsonPatch = 'application/json-patch+json';
    expectWritten(
      await patch(`Observation/${id}`, jsonPatch, '[{"op":"replace","path":"/status","value":"amended"}]'),
    );
    expectWritten(
      await patch(
        `Observation/${id}`,
        FHIR_JSON,
        '{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"replace"},' +
          '{"name":"path","valueString":"Observation.status"},{"name":"value","valueCode":"corrected"}]}]}',
      ),
    );
    const replaced = await patch(
      `Observation/${id}`,
      jsonPatch,
      '[{"op":"replace","path":"/valueQuantity/value","value":2.50}]',
    );
    expectWritten(replaced, 'json', ['2.50', '0.010', '1.50e2']);
    expectWritten(await text(`Observation/${id}`), 'json', ['2.50', '0.010', '1.50e2']);
    const fhirPath = await patch(
      `Observation/${id}`,
      FHIR_JSON,
      '{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"replace"},' +
        '{"name":"path","valueString":"Observation.valueQuantity.value"},{"name":"value","valueDecimal":5.0}]}]}',
    );
    expectWritten(fhirPath);
    expectWritten(await text(`Observation/${id}`));
  });

  it('an update that only writes 5.0 as 5.00 is a new version; the same text again is not', async () => {
    const current = JSON.parse(await text(`Observation/${id}`)) as Json;
    const version = Number(current.meta.versionId);
    const body = (value: string) => observationText(patient, value).replace('{', `{"id":"${id}",`);
    const changed = JSON.parse(await put(`Observation/${id}`, body('5.00'))) as Json;
    expect(Number(changed.meta.versionId)).to.equal(version + 1);
    const again = await put(`Observation/${id}`, body('5.00'));
    expect(Number((JSON.parse(again) as Json).meta.versionId)).to.equal(version + 1);
    expectWritten(again, 'json', ['5.00', '0.010', '1.50e2']);
    expectWritten(await text(`Observation/${id}/_history/${version}`));
  });
});
