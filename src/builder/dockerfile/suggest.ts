/**
 * "Did you mean …?" hints for unknown instructions and flags, as BuildKit adds them
 * (Levenshtein distance below 3; an exact match means the error is about something else).
 */

function levenshtein(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  let previous = Array.from({ length: right.length + 1 }, (_, j) => j);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length]!;
}

/** Gives the suggestion the case style of what the user typed (`form` → `from`, `FORM` → `FROM`). */
function matchCase(suggestion: string, typed: string): string {
  if (typed === typed.toLowerCase()) return suggestion.toLowerCase();
  if (typed === typed.toUpperCase()) return suggestion.toUpperCase();
  return suggestion;
}

/** The closest option to `value`, if one is close enough. Options are tried in the given order. */
export function suggest(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const typed = caseSensitive ? value : value.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    if (candidate === typed) return undefined;
    const distance = levenshtein(typed, candidate);
    if (distance < bestDistance) {
      best = caseSensitive ? candidate : matchCase(candidate, value);
      bestDistance = distance;
    }
  }
  return best;
}

/** `message (did you mean x?)` when a suggestion exists, else the message unchanged. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const match = suggest(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
