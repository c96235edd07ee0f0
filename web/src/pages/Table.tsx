import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { gql } from '../api/client';
import { COLUMN, TABLE, UPDATE_COLUMN, UPDATE_TABLE } from '../api/ops/catalog';
import type {
  ColumnFieldsFragment,
  ColumnQuery,
  ColumnQueryVariables,
  TableQuery,
  TableQueryVariables,
  UpdateColumnMutation,
  UpdateColumnMutationVariables,
  UpdateTableMutation,
  UpdateTableMutationVariables,
} from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, parseTags } from '../lib/format';
import { ErrorNote, Loading, Tags } from '../components/ui';
import { EditableField } from '../components/EditableField';
import { ColumnList } from '../components/ColumnList';
import { Feed } from '../components/Feed';
import { TablePreview } from '../components/TablePreview';
import { ProfileCard } from '../components/ProfileCard';

type Tbl = NonNullable<TableQuery['table']>;

export default function TablePage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const q = useQuery<TableQuery, TableQueryVariables>(TABLE, { id }, id);
  const [local, setLocal] = useState<Partial<Tbl>>({});
  const [patch, setPatch] = useState<Record<string, ColumnFieldsFragment>>({});
  const [selected, setSelected] = useState<ColumnFieldsFragment | null>(null);
  const colId = params.get('column');
  const colQ = useQuery<ColumnQuery, ColumnQueryVariables>(COLUMN, { id: colId ?? '' }, colId ?? '', !colId || selected?.id === colId);
  const col = selected?.id === colId ? selected : (colQ.data?.column ?? null);
  const column = col ? (patch[col.id] ?? col) : null;

  if (q.error) return <section className="page"><ErrorNote error={q.error} /></section>;
  if (!q.data) return <section className="page"><Loading /></section>;
  if (!q.data.table)
    return (
      <section className="page">
        <h1>Table not found</h1>
      </section>
    );
  const t: Tbl = { ...q.data.table, ...local };
  const canEdit = t.dataset?.userRole === 'OWNER' || t.dataset?.userRole === 'ADMIN';

  const updateTable = async (input: Omit<UpdateTableMutationVariables['input'], 'id' | 'expectedVersion'>, expectedVersion: number) =>
    (await gql<UpdateTableMutation, UpdateTableMutationVariables>(UPDATE_TABLE, { input: { id: t.id, expectedVersion, ...input } })).updateTable;
  const currentTable = async () => (await q.reload())?.table ?? undefined;

  const updateColumn = async (c: ColumnFieldsFragment, input: Omit<UpdateColumnMutationVariables['input'], 'id' | 'expectedVersion'>, expectedVersion: number) => {
    const r = (await gql<UpdateColumnMutation, UpdateColumnMutationVariables>(UPDATE_COLUMN, { input: { id: c.id, expectedVersion, ...input } })).updateColumn;
    setPatch((p) => ({ ...p, [r.id]: r }));
    return r;
  };
  const currentColumn = async (c: ColumnFieldsFragment) => {
    const r = (await gql<ColumnQuery, ColumnQueryVariables>(COLUMN, { id: c.id })).column;
    if (r) setPatch((p) => ({ ...p, [r.id]: r }));
    return r ?? undefined;
  };

  function select(c: ColumnFieldsFragment) {
    setSelected(c);
    setParams({ column: c.id }, { replace: true });
  }

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/search">Discover</Link> <span aria-hidden="true">/</span> {t.dataset ? <Link to={`/datasets/${t.dataset.id}`}>{t.dataset.label}</Link> : 'Dataset'}
      </nav>
      <header className="entity-head">
        <div>
          <p className="eyebrow">Table</p>
          <h1>{t.label}</h1>
          <p className="muted mono">
            {t.name} · {t.format} · {t.columnCount} columns · updated {formatDate(t.updatedAt)}
          </p>
        </div>
        {t.dataset && (
          <div className="head-actions">
            <Link className="btn btn-primary" to={`/datasets/${t.dataset.id}/request`}>
              Request access
            </Link>
          </div>
        )}
      </header>

      {t.deletedAt && (
        <p className="note note-warn" data-testid="gone-banner">
          <strong>Gone from the lake since {formatDate(t.deletedAt)}.</strong> A sync no longer found its data. Its description, columns, statistics and history are kept, but it
          cannot be previewed or profiled.
        </p>
      )}

      <section className="card" aria-labelledby="tabout-h">
        <h2 id="tabout-h">About</h2>
        <EditableField
          label="Description"
          name="description"
          multiline
          value={t.description}
          version={t.version}
          canEdit={canEdit}
          save={async (value, ev) => {
            const r = await updateTable({ description: value }, ev);
            return { value: r.description, version: r.version };
          }}
          fetchCurrent={async () => {
            const d = await currentTable();
            return d && { value: d.description, version: d.version };
          }}
          onSaved={(value, version) => setLocal((l) => ({ ...l, description: value, version }))}
        />
        <h3 className="sub">Tags</h3>
        <EditableField
          label="Tags"
          name="tags"
          value={t.tags.join(', ')}
          display={<Tags tags={t.tags} />}
          version={t.version}
          canEdit={canEdit}
          save={async (value, ev) => {
            const r = await updateTable({ tags: parseTags(value) }, ev);
            return { value: r.tags.join(', '), version: r.version };
          }}
          fetchCurrent={async () => {
            const d = await currentTable();
            return d && { value: d.tags.join(', '), version: d.version };
          }}
          onSaved={(value, version) => setLocal((l) => ({ ...l, tags: parseTags(value), version }))}
        />
        <p className="muted mono small">{t.location}</p>
      </section>

      <div className="columns-layout">
        <section className="card card-flush" aria-labelledby="cols-h">
          <h2 id="cols-h" className="card-pad">
            Columns <span className="count">{t.columnCount}</span>
          </h2>
          <div className="col-header" aria-hidden="true">
            <span>#</span>
            <span>Name</span>
            <span>Type</span>
            <span>Description</span>
          </div>
          <ColumnList tableId={t.id} total={t.columnCount} selectedId={column?.id ?? null} onSelect={select} patch={patch} />
        </section>
        <aside className="card column-pane" aria-labelledby="col-h" aria-live="polite">
          {column ? (
            <>
              <p className="eyebrow">Column {column.position + 1}</p>
              <h2 id="col-h" className="mono">
                {column.name}
              </h2>
              <p className="muted mono">{column.type}</p>
              <h3 className="sub">Description</h3>
              <EditableField
                key={`${column.id}-d`}
                label="Column description"
                name="description"
                multiline
                value={column.description}
                version={column.version}
                canEdit={canEdit}
                save={async (value, ev) => {
                  const r = await updateColumn(column, { description: value }, ev);
                  return { value: r.description, version: r.version };
                }}
                fetchCurrent={async () => {
                  const d = await currentColumn(column);
                  return d && { value: d.description, version: d.version };
                }}
                onSaved={(value, version) => setPatch((p) => ({ ...p, [column.id]: { ...column, description: value, version } }))}
              />
              <h3 className="sub">Tags</h3>
              <EditableField
                key={`${column.id}-t`}
                label="Column tags"
                name="tags"
                value={column.tags.join(', ')}
                display={<Tags tags={column.tags} />}
                version={column.version}
                canEdit={canEdit}
                save={async (value, ev) => {
                  const r = await updateColumn(column, { tags: parseTags(value) }, ev);
                  return { value: r.tags.join(', '), version: r.version };
                }}
                fetchCurrent={async () => {
                  const d = await currentColumn(column);
                  return d && { value: d.tags.join(', '), version: d.version };
                }}
                onSaved={(value, version) => setPatch((p) => ({ ...p, [column.id]: { ...column, tags: parseTags(value), version } }))}
              />
              {column.classification && (
                <p>
                  Classification: <strong>{column.classification}</strong>
                </p>
              )}
            </>
          ) : (
            <>
              <h2 id="col-h">Column details</h2>
              <p className="muted">Choose a column to read and edit its description and tags.</p>
            </>
          )}
        </aside>
      </div>

      {!t.deletedAt && <TablePreview key={t.id} tableId={t.id} datasetId={t.datasetId} />}

      <ProfileCard key={`profile-${t.id}`} tableId={t.id} datasetId={t.datasetId} columnCount={t.columnCount} canProfile={canEdit} gone={t.deletedAt != null} />

      <Feed targetId={t.id} />
    </div>
  );
}
