import { humanize } from './format';

/** What a team may do on a dataset, in words: its role, or the permissions it was given. */
export function teamRole(t: { team: string; permissions: string[] }, ownerTeam: string, stewardsTeam: string | null): string {
  const roles: string[] = [];
  if (t.team === ownerTeam) roles.push('owner');
  if (stewardsTeam && t.team === stewardsTeam) roles.push('stewards, approve requests');
  if (roles.length > 0) return roles.join('; ');
  const p = new Set(t.permissions);
  if (p.has('UPDATE_DATASET')) return 'can edit';
  if (p.has('APPROVE_SHARE')) return 'approves requests';
  if (p.size === 1 && p.has('GET_DATASET')) return 'can read its details';
  return t.permissions.map((x) => humanize(x).toLowerCase()).join(', ');
}
