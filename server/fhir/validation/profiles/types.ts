/** The parts of StructureDefinition and ElementDefinition that profile validation reads. */

export interface TypeRef {
  code: string;
  profile?: string[];
  targetProfile?: string[];
}

export interface Discriminator {
  type: 'value' | 'exists' | 'pattern' | 'type' | 'profile';
  path: string;
}

export interface Slicing {
  discriminator?: Discriminator[];
  rules?: 'closed' | 'open' | 'openAtEnd';
  ordered?: boolean;
}

export interface ElementDefinition {
  id: string;
  path: string;
  sliceName?: string;
  min?: number;
  max?: string;
  base?: { path: string; min: number; max: string };
  type?: TypeRef[];
  slicing?: Slicing;
  contentReference?: string;
  binding?: { strength: string; valueSet?: string };
  /** fixed[x], pattern[x] and the rest, by JSON name. */
  [key: string]: unknown;
}

export interface StructureDefinition {
  resourceType: 'StructureDefinition';
  id: string;
  url: string;
  name?: string;
  kind?: string;
  type: string;
  baseDefinition?: string;
  derivation?: string;
  snapshot: { element: ElementDefinition[] };
}

export interface ValueSetExpansion {
  url: string;
  expansion: { contains: { system?: string; code: string }[] };
}
