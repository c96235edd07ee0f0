import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { ApiError, describe } from '../../api/errors';
import { CREATE_USER, REMOVE_USER, RESET_USER_PASSWORD, SET_USER_TEAMS, USERS } from '../../api/ops/admin';
import type {
  CreateUserMutation,
  CreateUserMutationVariables,
  LocalUserFieldsFragment,
  RemoveUserMutation,
  RemoveUserMutationVariables,
  ResetUserPasswordMutation,
  ResetUserPasswordMutationVariables,
  SetUserTeamsMutation,
  SetUserTeamsMutationVariables,
  UsersQuery,
  UsersQueryVariables,
} from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';
import { parseTags } from '../../lib/format';
import { useSession } from '../../session';
import { ErrorNote, Loading } from '../../components/ui';
import { Field } from '../../components/Field';

/** The API's minimum (crates/core/src/users.rs). */
const MIN_PASSWORD = 12;

/**
 * Splits a failed save into field errors (`input.teams[2]` goes under `teams`) and a form
 * error for anything else.
 */
function userErrors(e: unknown, fields: readonly string[]): { fields: Record<string, string>; form: string | null } {
  if (e instanceof ApiError && e.code === 'BAD_USER_INPUT' && e.fieldName) {
    const name = e.fieldName.replace(/\[\d+\]$/, '');
    if (fields.includes(name)) return { fields: { [name]: e.message.replace(/^input\.[\w[\]]+:\s*/, '') }, form: null };
  }
  if (e instanceof ApiError && e.reason === 'user_already_exists' && fields.includes('username')) return { fields: { username: e.message }, form: null };
  return { fields: {}, form: describe(e) };
}

/** Local users of the embedded default: who may sign in, and their teams. */
export default function UsersPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get('user');
  const q = useQuery<UsersQuery, UsersQueryVariables>(USERS, {}, 'users');
  const [notice, setNotice] = useState<string | null>(null);
  const users = q.data?.users;
  const notOffered = q.error instanceof ApiError && q.error.reason === 'not_offered';
  const user = users?.find((u) => u.username === selected) ?? null;

  const changed = async (message: string, select: string | null) => {
    await q.reload();
    setNotice(message);
    setParams(select ? { user: select } : {});
  };

  if (notOffered)
    return (
      <section className="card" aria-labelledby="users-h">
        <h1 id="users-h">Users</h1>
        <p className="note" role="status">
          {(q.error as ApiError).message}. Add people to teams there: lakecat reads a user&apos;s teams from the token&apos;s groups.
        </p>
      </section>
    );
  return (
    <div className="two-col two-col-wide-side">
      <section className="card" aria-labelledby="users-h">
        <h1 id="users-h">Users</h1>
        <p className="muted small">People who sign in with a lakecat password (the embedded default). A user&apos;s teams decide what it may see and do; a change applies at its next sign-in, and signs it out everywhere.</p>
        <ErrorNote error={q.error} />
        {notice && (
          <p className="note" role="status">
            {notice}
          </p>
        )}
        {!users && !q.error && <Loading />}
        {users && (
          <table className="table" data-testid="users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Teams</th>
                <th scope="col">Email</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.username} className={u.username === selected ? 'row-current' : undefined}>
                  <td>
                    <button type="button" className="btn-link mono" aria-current={u.username === selected ? 'true' : undefined} onClick={() => { setNotice(null); setParams({ user: u.username }); }}>
                      {u.username}
                    </button>
                  </td>
                  <td>{u.teams.length > 0 ? u.teams.join(', ') : <span className="muted">no team</span>}</td>
                  <td>{u.email ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
              {users.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    No local users.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </section>
      <div className="side-col">
        {user && <ManageUser key={user.username} user={user} onChanged={changed} />}
        <NewUser onCreated={(u) => void changed(`${u.username} can sign in now.`, u.username)} />
      </div>
    </div>
  );
}

function ManageUser({ user, onChanged }: { user: LocalUserFieldsFragment; onChanged: (message: string, select: string | null) => Promise<void> }) {
  const { me } = useSession();
  const [teams, setTeams] = useState(user.teams.join(', '));
  const [password, setPassword] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function run(what: string, fields: readonly string[], action: () => Promise<void>) {
    setBusy(what);
    setErrors({});
    setFormError(null);
    try {
      await action();
    } catch (e) {
      const s = userErrors(e, fields);
      setErrors(s.fields);
      setFormError(s.form);
    } finally {
      setBusy(null);
    }
  }

  const saveTeams = (e: FormEvent) => {
    e.preventDefault();
    void run('teams', ['teams'], async () => {
      const d = await gql<SetUserTeamsMutation, SetUserTeamsMutationVariables>(SET_USER_TEAMS, { input: { username: user.username, teams: parseTags(teams) } });
      const t = d.setUserTeams.teams;
      await onChanged(`${user.username} is now in ${t.length > 0 ? t.join(', ') : 'no team'}.`, user.username);
    });
  };
  const resetPassword = (e: FormEvent) => {
    e.preventDefault();
    if (password.length < MIN_PASSWORD) {
      setErrors({ password: `At least ${MIN_PASSWORD} characters.` });
      return;
    }
    void run('password', ['password'], async () => {
      await gql<ResetUserPasswordMutation, ResetUserPasswordMutationVariables>(RESET_USER_PASSWORD, { input: { username: user.username, password } });
      setPassword('');
      await onChanged(`${user.username}'s password was changed; its sessions ended.`, user.username);
    });
  };
  const remove = () =>
    void run('remove', [], async () => {
      await gql<RemoveUserMutation, RemoveUserMutationVariables>(REMOVE_USER, { input: { username: user.username } });
      await onChanged(`${user.username} was removed and can no longer sign in.`, null);
    });

  return (
    <section className="card" aria-labelledby="manage-h">
      <h2 id="manage-h">
        Manage <span className="mono">{user.username}</span>
      </h2>
      <form onSubmit={saveTeams} noValidate>
        <Field id="user-teams" label="Teams" hint="Comma-separated team names; empty leaves the user in no team." error={errors.teams}>
          <input value={teams} onChange={(e) => setTeams(e.target.value)} />
        </Field>
        <button type="submit" className="btn" disabled={busy !== null || parseTags(teams).join(',') === user.teams.join(',')}>
          {busy === 'teams' ? 'Saving…' : 'Save teams'}
        </button>
      </form>
      <form onSubmit={resetPassword} noValidate>
        <Field id="user-password" label="New password" hint={`At least ${MIN_PASSWORD} characters. Tell the user through a channel you trust.`} error={errors.password}>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="btn" disabled={busy !== null || password === ''}>
          {busy === 'password' ? 'Setting…' : 'Set password'}
        </button>
      </form>
      <div className="actions">
        {!confirming ? (
          <button type="button" className="btn btn-danger" disabled={busy !== null} onClick={() => setConfirming(true)}>
            Remove…
          </button>
        ) : (
          <>
            <span className="small">
              {user.username === me.username ? 'This is you: you will be signed out. ' : ''}Remove {user.username}?
            </span>
            <button type="button" className="btn btn-danger" disabled={busy !== null} onClick={remove}>
              {busy === 'remove' ? 'Removing…' : `Remove ${user.username}`}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        )}
      </div>
      {formError && (
        <p className="note note-error" role="alert">
          {formError}
        </p>
      )}
    </section>
  );
}

function NewUser({ onCreated }: { onCreated: (u: LocalUserFieldsFragment) => void }) {
  const empty = { username: '', email: '', password: '', teams: '' };
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!form.username.trim()) missing.username = 'Give the user a name to sign in with.';
    if (form.password.length < MIN_PASSWORD) missing.password = `At least ${MIN_PASSWORD} characters.`;
    setErrors(missing);
    setFormError(null);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      const d = await gql<CreateUserMutation, CreateUserMutationVariables>(CREATE_USER, {
        input: { username: form.username.trim(), password: form.password, teams: parseTags(form.teams), email: form.email.trim() || undefined },
      });
      setForm(empty);
      onCreated(d.createUser);
    } catch (err) {
      const s = userErrors(err, ['username', 'password', 'teams', 'email']);
      setErrors(s.fields);
      setFormError(s.form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="new-user-h">
      <h2 id="new-user-h">New user</h2>
      <form onSubmit={create} noValidate>
        <Field id="new-username" label="Username" hint="a-z, 0-9, '.', '_' and '-'." error={errors.username}>
          <input autoComplete="off" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
        </Field>
        <Field id="new-email" label="Email (optional)" error={errors.email}>
          <input type="email" autoComplete="off" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <Field id="new-teams" label="Teams" hint="Comma-separated team names." error={errors.teams}>
          <input value={form.teams} onChange={(e) => setForm({ ...form, teams: e.target.value })} />
        </Field>
        <Field id="new-password" label="Password" hint={`At least ${MIN_PASSWORD} characters.`} error={errors.password}>
          <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </Field>
        {formError && (
          <p className="note note-error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add user'}
        </button>
      </form>
    </section>
  );
}
