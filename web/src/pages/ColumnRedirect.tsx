import { Navigate, useParams } from 'react-router-dom';
import { COLUMN } from '../api/ops/catalog';
import type { ColumnQuery, ColumnQueryVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { ErrorNote, Loading } from '../components/ui';

/** A column lives on its table's page: /columns/:id opens the table with it selected. */
export default function ColumnRedirect() {
  const { id = '' } = useParams();
  const q = useQuery<ColumnQuery, ColumnQueryVariables>(COLUMN, { id }, id);
  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <Loading />;
  const col = q.data.column;
  if (!col) return <p className="page">Column not found.</p>;
  return <Navigate to={`/tables/${col.tableId}?column=${col.id}`} replace />;
}
