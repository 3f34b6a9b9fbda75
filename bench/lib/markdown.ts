/** Markdown tables. */

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function table(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}
