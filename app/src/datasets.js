/**
 * The data sets the generator page offers (contract.json `datasets`, written by 2pack.py):
 * each has a title for the menu, its label names and the contract keys of its graphs
 * (generator, row, grid, classifier). The chosen one comes from the address (?dataset=...);
 * digits (mnist) when there is none. No DOM.
 */
import { labelsOf } from './contract.js';

export const DIGITS = 'mnist';

/** {name: {title, labels, generator, row, grid, classifier}} from the contract. */
export function datasetsOf(contract) {
  if (contract.datasets) return contract.datasets;
  // Models folders written before data sets had names hold the digits alone.
  return {
    [DIGITS]: {
      title: 'Digits',
      labels: contract.generator ? labelsOf(contract.generator) : [],
      generator: 'generator',
      row: 'generator_b10',
      grid: 'generator_b100',
      classifier: 'recogniser',
    },
  };
}

/**
 * The data set the address asks for: {name, ...its entry, problem} where problem is a
 * sentence when the address named one the models folder does not hold (digits are shown).
 */
export function chosenDataset(search, contract) {
  const all = datasetsOf(contract);
  const wanted = new URLSearchParams(search).get('dataset') || DIGITS;
  if (all[wanted]) return { name: wanted, ...all[wanted], problem: null };
  const fallback = all[DIGITS] ? DIGITS : Object.keys(all)[0];
  return {
    name: fallback,
    ...all[fallback],
    problem: `dataset=${wanted} is not one of this page's (${Object.keys(all).join(', ')}): `
      + `showing ${all[fallback].title}`,
  };
}

/** The word for one item of a data set: "digit" for the digits, else "image". */
export const itemWord = (name) => (name === DIGITS ? 'digit' : 'image');

/** A label as a file-name part: "T-shirt/top" -> "T-shirt-top". */
export const fileSafe = (label) => String(label).replace(/[^A-Za-z0-9_-]+/g, '-');
