import type { SearchKind } from '../generated/graphql';

/** Where a search hit or suggestion leads. */
export function entityPath(kind: SearchKind, id: string, datasetId?: string | null): string {
  switch (kind) {
    case 'DATASET':
      return `/datasets/${id}`;
    case 'TABLE':
      return `/tables/${id}`;
    case 'COLUMN':
      return `/columns/${id}`;
    case 'FOLDER':
      return datasetId ? `/datasets/${datasetId}#folder-${id}` : '/search';
    case 'TERM':
      return `/glossary/${id}`;
  }
}
