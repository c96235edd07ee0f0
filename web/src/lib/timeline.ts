import type { ShareRequestStatus } from '../generated/graphql';

export type StepState = 'done' | 'current' | 'todo' | 'failed';
export interface Step {
  label: string;
  state: StepState;
}

/** The request's path so far, as steps for the status timeline (pure). */
export function shareTimeline(status: ShareRequestStatus): Step[] {
  const path = ['Draft', 'Submitted', 'Approved', 'Granting', 'Granted'];
  const at: Record<ShareRequestStatus, number> = {
    DRAFT: 0,
    SUBMITTED: 1,
    APPROVED: 2,
    SHARE_IN_PROGRESS: 3,
    PROCESSED: 4,
    REJECTED: 2,
    SUBMITTED_FOR_EXTENSION: 4,
    EXTENSION_REJECTED: 4,
    REVOKE_IN_PROGRESS: 4,
    REVOKED: 4,
    DELETED: 4,
  };
  const i = at[status];
  const steps: Step[] = path.map((label, j) => ({ label, state: j < i ? 'done' : j === i ? 'current' : 'todo' }));
  if (status === 'PROCESSED') steps[4].state = 'done';
  if (status === 'REJECTED') return [...steps.slice(0, 2), { label: 'Rejected', state: 'failed' }];
  if (status === 'SUBMITTED_FOR_EXTENSION') return [...markDone(steps), { label: 'Extension requested', state: 'current' }];
  if (status === 'EXTENSION_REJECTED') return [...markDone(steps), { label: 'Extension rejected', state: 'failed' }];
  if (status === 'REVOKE_IN_PROGRESS') return [...markDone(steps), { label: 'Revoking', state: 'current' }];
  if (status === 'REVOKED') return [...markDone(steps), { label: 'Revoked', state: 'done' }];
  if (status === 'DELETED') return [...markDone(steps).slice(0, 2), { label: 'Deleted', state: 'done' }];
  return steps;
}

function markDone(steps: Step[]): Step[] {
  return steps.map((s) => ({ ...s, state: 'done' }));
}

/** Statuses the worker moves on by itself: the share page follows them until they settle.
 * APPROVED and REVOKED wait for the worker to start, the others for it to finish. */
export const IN_FLIGHT: ReadonlySet<ShareRequestStatus> = new Set(['APPROVED', 'SHARE_IN_PROGRESS', 'REVOKED', 'REVOKE_IN_PROGRESS']);
