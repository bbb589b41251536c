/**
 * The one table renderer: aligned columns measured in visible columns (colour codes count zero,
 * wide characters two). Its own module because measuring loads string-width, whose Unicode
 * tables cost start-up time that commands printing JSON or one line should not pay.
 */
import stringWidth from 'string-width';

/** Columns a string takes in a terminal: colour codes count zero, wide characters two. */
export function visibleWidth(text: string): number {
  return stringWidth(text);
}

function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
}

/**
 * Renders rows as an aligned table (no trailing spaces), header included. Widths are visible
 * columns, so coloured or wide cells line up like plain ones. The one table renderer.
 */
export function table<Row>(rows: Row[], columns: Array<Column<Row>>): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) => Math.max(visibleWidth(column.header), ...cells.map((row) => visibleWidth(row[index]))));
  const line = (values: string[]) => values.map((value, index) => (index === values.length - 1 ? value : padVisible(value, widths[index]))).join('  ').trimEnd();
  return [line(columns.map((column) => column.header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}
