import type { FormHTMLAttributes, ReactNode } from 'react';

/** A form whose submit (Enter or a submit button) runs `onSubmit` instead of navigating. */
export function SubmitForm({ onSubmit, children, ...rest }: { onSubmit(): unknown; children: ReactNode } & Omit<FormHTMLAttributes<HTMLFormElement>, 'onSubmit'>) {
  return (
    <form
      {...rest}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}
