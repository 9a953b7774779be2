import type { Unit } from '../model.js';

/** A value in its unit, with as many digits as make sense for that unit and size. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ms': return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
    case 's': return value.toFixed(2);
    case 'KiB': return value >= 100 ? value.toFixed(0) : value.toFixed(1);
    case 'MiB': return value >= 100 ? value.toFixed(0) : value.toFixed(1);
    case '×': return value.toFixed(2);
  }
}

export function formatRatio(r: number): string {
  return `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}
