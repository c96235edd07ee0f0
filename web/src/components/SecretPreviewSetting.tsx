import { useId, useState } from 'react';
import { ApiError, describe } from '../api/errors';

const onOff = (v: boolean) => (v ? 'allowed' : 'owners only');

/**
 * A SECRET dataset's owners choose whether teams holding a granted share may preview (and
 * read the profile of) its tables. Saved on change with the version that was read; a
 * CONFLICT with reason stale_version loads the current setting and, when it differs from
 * the user's choice, shows both so they save theirs over it or keep the other.
 */
export function SecretPreviewSetting({
  value,
  version,
  save,
  fetchCurrent,
  onSaved,
}: {
  value: boolean;
  version: number;
  save: (value: boolean, expectedVersion: number) => Promise<{ value: boolean; version: number }>;
  fetchCurrent: () => Promise<{ value: boolean; version: number } | undefined>;
  onSaved: (value: boolean, version: number) => void;
}) {
  const [pending, setPending] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ mine: boolean; theirs: boolean; version: number } | null>(null);
  const id = useId();

  async function send(next: boolean, expected: number) {
    setBusy(true);
    setPending(next);
    setStatus(null);
    setError(null);
    try {
      const saved = await save(next, expected);
      setConflict(null);
      onSaved(saved.value, saved.version);
      setStatus(saved.value ? 'Saved: teams with a granted share may preview its tables.' : 'Saved: only its owners may preview its tables.');
    } catch (e) {
      if (e instanceof ApiError && e.isStaleVersion) {
        const current = await fetchCurrent().catch(() => undefined);
        if (!current) setError(describe(e));
        else if (current.value === next) {
          // Someone else made the same choice: nothing left to save.
          onSaved(current.value, current.version);
          setStatus('Someone else saved the same setting just before you.');
        } else setConflict({ mine: next, theirs: current.value, version: current.version });
      } else {
        setError(describe(e));
      }
    } finally {
      setPending(null);
      setBusy(false);
    }
  }

  const hint = `${id}-hint`;
  return (
    <div className="secret-preview" data-testid="secret-preview">
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={pending ?? value} disabled={busy || conflict !== null} aria-describedby={hint} onChange={(e) => void send(e.target.checked, version)} />
        Teams with a granted share may preview its tables
      </label>
      <p className="muted small" id={hint}>
        A secret dataset&apos;s tables are previewed and profiled by its owners only, unless you allow the teams you granted a share.
      </p>
      <p className="muted small" role="status">
        {busy ? 'Saving…' : status}
      </p>
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      {conflict && (
        <div className="conflict" role="alert" data-testid="conflict">
          <p>
            <strong>Someone else changed this dataset while you were looking.</strong>
          </p>
          <dl>
            <dt>Now saved</dt>
            <dd>{onOff(conflict.theirs)}</dd>
            <dt>Yours</dt>
            <dd>{onOff(conflict.mine)}</dd>
          </dl>
          <div className="actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void send(conflict.mine, conflict.version)}>
              Save mine over it
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => {
                onSaved(conflict.theirs, conflict.version);
                setConflict(null);
              }}
            >
              Keep theirs
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
