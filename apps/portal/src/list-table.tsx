import type { ReactNode } from 'react';

/** A table of rows under column headings, named `label` for screen readers (and tests). */
export function ListTable({ label, columns, children }: { label?: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <table className="list" aria-label={label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column}>{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
