import { REFERRAL_CODE_SYSTEMS } from '../../../server/domain/referral/catalogue-terminology.ts';
import { directory, type Json } from './directory.ts';
import { offerings } from './offerings.ts';
import { questionnaires } from './questionnaires.ts';

export { ORGANIZATIONS, CLUSTERS, PEOPLE, PATIENTS } from './directory.ts';
export { OFFERINGS } from './offerings.ts';
export type { Json };

/**
 * The referral platform's demo (seed 003), in the order it is loaded: our code systems, the
 * network (organisations, clusters, locations, people with their functions, two patients), the
 * offerings' questionnaires, and the catalogue. Everything at a fixed id, so a second run
 * writes nothing new. Other parts of seed 003 add their data here.
 */
export function referralsSeed(): { name: string; resources: Json[] }[] {
  return [
    { name: 'code systems', resources: REFERRAL_CODE_SYSTEMS as unknown as Json[] },
    { name: 'network', resources: directory() },
    { name: 'questionnaires', resources: questionnaires() },
    { name: 'catalogue', resources: offerings() },
  ];
}
