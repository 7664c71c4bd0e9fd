export { parseFhirXml, type ParseFhirXmlOptions } from './parse.ts';
export { toFhirXml, type ToFhirXmlOptions } from './serialize.ts';
