/**
 * The `progress` text of a JSON progress message, as moby's JSONProgress.String renders it
 * for a 200-column stream: `[=====>      ]  32.77kB/2.13MB`. Clients with a terminal draw their
 * own bar from `progressDetail`; this is what the others print.
 */
export function progressText(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return `${humanSize(current).padStart(8)}`;
  const filled = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const bar = `[${'='.repeat(filled)}>${' '.repeat(Math.max(0, 50 - filled))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSize: decimal units, four significant digits (`%.4g`). */
function humanSize(size: number): string {
  let value = size;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${UNITS[unit]}`;
}
