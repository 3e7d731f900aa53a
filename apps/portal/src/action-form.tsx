'use client';
import { useActionState, type ReactNode } from 'react';
import type { FormState } from '../app/actions';
import { ErrorList } from './error-list';

interface ActionFormProps {
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  submitLabel: string;
  /** What the button says while the action runs. */
  pendingLabel: string;
  children: ReactNode;
}

/** A form posted to a server action, showing the messages of what went wrong; works before scripts load too. */
export function ActionForm({ action, submitLabel, pendingLabel, children }: ActionFormProps) {
  const [state, formAction, pending] = useActionState(action, { errors: [] });
  return (
    <form action={formAction} className="form">
      {children}
      <ErrorList messages={state.errors} />
      <button type="submit" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
