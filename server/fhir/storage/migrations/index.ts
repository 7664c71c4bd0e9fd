import type { Knex } from 'knex';
import * as m001 from './001_resources.ts';
import * as m002 from './002_search_index.ts';
import * as m003 from './003_index_statistics.ts';
import * as m004 from './004_oauth.ts';
import * as m005 from './005_saml.ts';
import * as m006 from './006_access_facts.ts';
import * as m007 from './007_bearer_lookup.ts';
import * as m008 from './008_audit_log.ts';
import * as m009 from './009_access_epoch.ts';
import * as m010 from './010_token_revocations.ts';
import * as m011 from './011_care_collectives.ts';
import * as m012 from './012_job_queue.ts';
import * as m013 from './013_invitation_declined.ts';
import * as m014 from './014_hl7_messages.ts';
import * as m015 from './015_hl7_outbox.ts';
import * as m017 from './017_password_logins.ts';
import * as m018 from './018_function_invitations.ts';
import * as m019 from './019_portal_accounts.ts';
import * as m020 from './020_portal_registration_order.ts';
import * as m021 from './021_medication_reminders.ts';

/**
 * Migrations are listed here rather than discovered on disk, so they work the same under
 * tsx, in tests and from the CLI. Append new ones; never edit one that has shipped.
 */
const migrations: Record<string, Knex.Migration> = {
  '001_resources': m001,
  '002_search_index': m002,
  '003_index_statistics': m003,
  '004_oauth': m004,
  '005_saml': m005,
  '006_access_facts': m006,
  '007_bearer_lookup': m007,
  '008_audit_log': m008,
  '009_access_epoch': m009,
  '010_token_revocations': m010,
  '011_care_collectives': m011,
  '012_job_queue': m012,
  '013_invitation_declined': m013,
  '014_hl7_messages': m014,
  '015_hl7_outbox': m015,
  '017_password_logins': m017,
  '018_function_invitations': m018,
  '019_portal_accounts': m019,
  '020_portal_registration_order': m020,
  '021_medication_reminders': m021,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return Object.keys(migrations);
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    const m = migrations[name];
    if (!m) throw new Error(`unknown migration ${name}`);
    return m;
  },
};
