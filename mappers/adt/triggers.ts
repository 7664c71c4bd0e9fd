/**
 * What each ADT trigger event means for the Encounter (HL7 v2.4 chapter 3; the v2-to-FHIR IG's
 * ADT message maps). `undefined`: the event is about the patient alone (no Encounter).
 */
export const ADT_TRIGGERS: Record<
  string,
  { meaning: string; encounter?: 'planned' | 'in-progress' | 'finished' | 'cancelled' | 'from-pv1' }
> = {
  A01: { meaning: 'admit / visit notification', encounter: 'in-progress' },
  A02: { meaning: 'transfer a patient (new location in PV1-3)', encounter: 'in-progress' },
  A03: { meaning: 'discharge / end visit', encounter: 'finished' },
  A04: { meaning: 'register a patient (outpatient visit)', encounter: 'in-progress' },
  A05: { meaning: 'pre-admit a patient', encounter: 'planned' },
  A08: { meaning: 'update patient information (and the visit, when PV1 is sent)', encounter: 'from-pv1' },
  A11: { meaning: 'cancel admit / visit notification', encounter: 'cancelled' },
  A12: { meaning: 'cancel transfer (PV1-3 is the location again)', encounter: 'in-progress' },
  A13: { meaning: 'cancel discharge (the visit is open again)', encounter: 'in-progress' },
  A28: { meaning: 'add person information' },
  A31: { meaning: 'update person information' },
  A40: { meaning: 'merge patient — patient identifier list (MRG-1 into PID-3): merge.ts' },
};
