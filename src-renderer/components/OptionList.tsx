/** The `<option>`s of a select, one per item: its value and its visible label. */
export function OptionList<T>({ items, value, label }: { items: readonly T[]; value(item: T): string; label(item: T): string }) {
  return (
    <>
      {items.map((item) => (
        <option key={value(item)} value={value(item)}>
          {label(item)}
        </option>
      ))}
    </>
  );
}
