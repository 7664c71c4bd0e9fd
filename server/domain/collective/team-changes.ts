import type { Json } from './directory.ts';

type Participant = {
  member?: { reference?: string };
  role?: unknown[];
  period?: { start?: string; end?: string };
};

const current = (p: Participant) => !p.period?.end || Date.parse(p.period.end) > Date.now();

/** Whether `member` (a `Practitioner/…` or `CareTeam/…` reference) is in the team now. */
export const hasMember = (team: Json, member: string) =>
  ((team.participant ?? []) as Participant[]).some((p) => p.member?.reference === member && current(p));

/** The team with `member` in it from now on (unchanged when it already is). */
export function addParticipation(team: Json, member: string, role?: { system: string; code: string }): Json {
  if (hasMember(team, member)) return team;
  const participant: Participant = {
    member: { reference: member },
    ...(role ? { role: [{ coding: [role] }] } : {}),
    period: { start: new Date().toISOString() },
  };
  return { ...team, participant: [...((team.participant ?? []) as Participant[]), participant] };
}

/** The team with `member`'s current participation ended at `at` (kept, so history shows it). */
export function endParticipation(team: Json, member: string, at: string): Json {
  return {
    ...team,
    participant: ((team.participant ?? []) as Participant[]).map((p) =>
      p.member?.reference === member && current(p) ? { ...p, period: { ...(p.period ?? {}), end: at } } : p,
    ),
  };
}
