import type { StackStatus } from '../generated/graphql';

export interface StackEventView {
  timestamp: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason: string | null;
}

/** Still moving: PENDING (a deploy is queued) or any CloudFormation *_IN_PROGRESS status. */
export function stackIsSettling(status: StackStatus): boolean {
  return status === 'PENDING' || status.endsWith('_IN_PROGRESS');
}

/** CREATE_COMPLETE is good news; a rollback or a failure is not, even when "complete". */
export function stackTone(status: StackStatus): 'neutral' | 'info' | 'ok' | 'warn' | 'bad' {
  if (status.endsWith('_FAILED') || status.includes('ROLLBACK')) return 'bad';
  if (stackIsSettling(status)) return 'info';
  if (status === 'DELETE_COMPLETE') return 'warn';
  if (status.endsWith('_COMPLETE')) return 'ok';
  return 'neutral';
}

/** The stack's `events` JSON as the API gives it (snake_case keys); anything malformed is left out. */
export function parseEvents(events: unknown): StackEventView[] {
  if (!Array.isArray(events)) return [];
  const out: StackEventView[] = [];
  for (const e of events) {
    if (!e || typeof e !== 'object') continue;
    const r = e as Record<string, unknown>;
    if (typeof r.status !== 'string' || typeof r.logical_id !== 'string') continue;
    out.push({
      timestamp: typeof r.timestamp === 'string' ? r.timestamp : '',
      logicalId: r.logical_id,
      resourceType: typeof r.resource_type === 'string' ? r.resource_type : '',
      status: r.status,
      reason: typeof r.reason === 'string' && r.reason ? r.reason : null,
    });
  }
  return out;
}
