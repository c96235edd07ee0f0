import { useId, useState, type FormEvent } from 'react';
import { ApiError, describe } from '../api/errors';

/**
 * Inline editing with optimistic concurrency. `save` sends the value with the version that
 * was read; a CONFLICT with reason stale_version loads the current value and shows both,
 * so the user keeps theirs (saved on top of the new version) or takes the other edit. A
 * BAD_USER_INPUT about this field is shown on the field.
 */
export function EditableField({
  label,
  name,
  value,
  version,
  multiline = false,
  canEdit,
  display,
  save,
  fetchCurrent,
  onSaved,
}: {
  label: string;
  /** The API input field, e.g. `description` (matches extensions.field `input.description`). */
  name: string;
  value: string;
  version: number;
  multiline?: boolean;
  canEdit: boolean;
  display?: React.ReactNode;
  save: (value: string, expectedVersion: number) => Promise<{ version: number; value: string }>;
  fetchCurrent: () => Promise<{ version: number; value: string } | undefined>;
  onSaved: (value: string, version: number) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ theirs: string; version: number } | null>(null);
  const id = useId();

  function start() {
    setDraft(value);
    setFieldError(null);
    setError(null);
    setConflict(null);
    setEditing(true);
  }

  async function send(expected: number) {
    setBusy(true);
    setFieldError(null);
    setError(null);
    try {
      const saved = await save(draft, expected);
      setConflict(null);
      setEditing(false);
      onSaved(saved.value, saved.version);
    } catch (e) {
      if (e instanceof ApiError && e.isStaleVersion) {
        const current = await fetchCurrent().catch(() => undefined);
        if (current) setConflict({ theirs: current.value, version: current.version });
        else setError(describe(e));
      } else if (e instanceof ApiError && e.code === 'BAD_USER_INPUT' && (!e.fieldName || e.fieldName === name)) {
        setFieldError(e.message);
      } else {
        setError(describe(e));
      }
    } finally {
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void send(version);
  }

  if (!editing) {
    return (
      <div className="editable">
        <div className="editable-value">{display ?? (value ? value : <span className="muted">No {label.toLowerCase()} yet</span>)}</div>
        {canEdit && (
          <button type="button" className="btn btn-small btn-ghost" onClick={start} aria-label={`Edit ${label.toLowerCase()}`}>
            Edit
          </button>
        )}
      </div>
    );
  }

  const errId = `${id}-err`;
  return (
    <form className="editable-form" onSubmit={submit}>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      {multiline ? (
        <textarea id={id} name={name} value={draft} rows={4} onChange={(e) => setDraft(e.target.value)} aria-invalid={!!fieldError} aria-describedby={fieldError ? errId : undefined} autoFocus />
      ) : (
        <input id={id} name={name} value={draft} onChange={(e) => setDraft(e.target.value)} aria-invalid={!!fieldError} aria-describedby={fieldError ? errId : undefined} autoFocus />
      )}
      {fieldError && (
        <p className="field-error" id={errId} role="alert">
          {fieldError}
        </p>
      )}
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      {conflict && (
        <div className="conflict" role="alert" data-testid="conflict">
          <p>
            <strong>Someone else changed this {label.toLowerCase()} while you were editing.</strong>
          </p>
          <dl>
            <dt>Now saved</dt>
            <dd>{conflict.theirs || <span className="muted">(empty)</span>}</dd>
            <dt>Yours</dt>
            <dd>{draft || <span className="muted">(empty)</span>}</dd>
          </dl>
          <div className="actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void send(conflict.version)}>
              Save mine over it
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => {
                onSaved(conflict.theirs, conflict.version);
                setConflict(null);
                setEditing(false);
              }}
            >
              Keep theirs
            </button>
          </div>
        </div>
      )}
      {!conflict && (
        <div className="actions">
          <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="btn btn-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      )}
    </form>
  );
}
