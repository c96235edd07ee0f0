import { useState, type FormEvent } from 'react';
import { humanize } from '../lib/format';
import { splitError } from '../lib/fieldErrors';
import { Field } from './Field';

export interface TeamsCardProps {
  /** Ids and headings differ per page: `prefix` keeps them unique. */
  prefix: string;
  title: string;
  teams: { team: string; permissions: string[] }[];
  /** The team that cannot be removed (the owner or admin team), and what to call it. */
  keeper: { team: string; role: string };
  canManage: boolean;
  /** Extra permissions an invitation may add, with the words shown for each. */
  extras: readonly { name: string; label: string }[];
  /** Invites a team; resolves to the sentence to show. */
  invite: (team: string, permissions: string[]) => Promise<string>;
  /** Removes a team; resolves to the sentence to show. */
  remove: (team: string) => Promise<string>;
}

/**
 * The teams of an organization or an environment: each with what it may do, "Remove" for
 * the managers (never the keeper team), and an invitation form with the API's field errors.
 */
export function TeamsCard({ prefix, title, teams, keeper, canManage, extras, invite, remove }: TeamsCardProps) {
  const [team, setTeam] = useState('');
  const [extra, setExtra] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onInvite(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    setFormError(null);
    if (!team.trim()) {
      setErrors({ team: 'Name the team to invite.' });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      setDone(await invite(team.trim(), extra));
      setTeam('');
      setExtra([]);
    } catch (err) {
      const s = splitError(err, ['team', 'permissions']);
      setErrors(s.fields);
      setFormError(s.form);
    } finally {
      setBusy(false);
    }
  }

  async function onRemove(name: string) {
    setDone(null);
    setFormError(null);
    try {
      setDone(await remove(name));
    } catch (err) {
      setFormError(splitError(err, []).form);
    }
  }

  return (
    <section className="card" aria-labelledby={`${prefix}-teams-h`}>
      <h2 id={`${prefix}-teams-h`}>{title}</h2>
      <ul className="rows" data-testid={`${prefix}-teams`}>
        {teams.map((t) => (
          <li key={t.team} className="row">
            <div>
              <strong>{t.team}</strong>
              <p className="muted small">
                {t.team === keeper.team ? `${keeper.role}: ` : ''}
                {t.permissions.map(humanize).join(', ')}
              </p>
            </div>
            {canManage && t.team !== keeper.team && (
              <button type="button" className="btn btn-small btn-danger" onClick={() => void onRemove(t.team)}>
                Remove<span className="sr-only"> {t.team}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      {done && (
        <p className="note" role="status">
          {done}
        </p>
      )}
      {formError && (
        <p className="note note-error" role="alert">
          {formError}
        </p>
      )}
      {canManage && (
        <form onSubmit={onInvite} noValidate>
          <Field id={`${prefix}-team`} label="Invite a team" error={errors.team}>
            <input value={team} onChange={(e) => setTeam(e.target.value)} />
          </Field>
          {extras.map((p) => (
            <label key={p.name} className="check">
              <input type="checkbox" checked={extra.includes(p.name)} onChange={(e) => setExtra(e.target.checked ? [...extra, p.name] : extra.filter((x) => x !== p.name))} />
              {p.label}
            </label>
          ))}
          <div className="actions">
            <button type="submit" className="btn btn-small" disabled={busy}>
              Invite team
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
