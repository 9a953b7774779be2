import { randomInt } from 'node:crypto';

// Docker names containers it is not given a name for "adjective_surname". These are our own
// short lists; what matters to users is the shape, not the words.
const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'fond', 'gentle', 'happy', 'keen',
  'kind', 'lucid', 'merry', 'modest', 'nimble', 'noble', 'patient', 'proud', 'quick', 'quiet', 'serene', 'sharp',
  'steady', 'sturdy', 'swift', 'tender', 'vivid', 'warm', 'wise', 'witty', 'zealous',
];
const SURNAMES = [
  'babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermi', 'feynman', 'gauss',
  'goodall', 'hamilton', 'hopper', 'hypatia', 'kepler', 'knuth', 'lamarr', 'lovelace', 'meitner', 'mendel',
  'newton', 'noether', 'pascal', 'planck', 'ritchie', 'shannon', 'tesla', 'thompson', 'turing', 'volta', 'wozniak',
];

export function randomContainerName(retry = 0): string {
  const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}
