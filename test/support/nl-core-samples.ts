/**
 * Valid R4, but not an nl-core-Patient: three official names (name:nameInformation allows 2) and a
 * houseNumber extension with an integer (iso21090-ADXP-houseNumber allows a string only).
 */
export const NOT_NL_CORE_PATIENT = {
  resourceType: 'Patient',
  name: [
    { use: 'official', family: 'Jansen' },
    { use: 'official', family: 'Jansen' },
    { use: 'official', family: 'Jansen' },
  ],
  address: [
    {
      line: ['Straat 12'],
      _line: [
        {
          extension: [
            { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber', valueInteger: 12 },
          ],
        },
      ],
    },
  ],
};
