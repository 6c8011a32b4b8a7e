/**
 * The generator page's state in its address, so that a link opened in a fresh browser draws
 * the same pixels:
 *
 *   ?digit=7&seed=123&view=grid&grid=120
 *   ?dataset=fashion-mnist&label=Sneaker&seed=123
 *
 *   dataset the data set (datasets.js), absent for the digits
 *   digit  a label's name (label= for other data sets; either is read) (default the first)
 *   seed   0..4294967295: z is that seed's first n_hidden normals (noise.js)
 *   z      instead of seed: z itself, float32 little-endian, base64url (from ?z= links and
 *          dcganTest.setNoise)
 *   view   digit | row (the digits 0-9 in this handwriting) | grid (10 x 10)
 *   grid   the grid's first row's seed, when it is not `seed` (after a grid cell was picked)
 *   backend kept as it came (?backend=webgl forces WebGL)
 *
 * Pure functions: parse() returns the state and, for each value it could not use, a sentence
 * saying so; format() writes the query string. No DOM.
 */
import { MAX_SEED } from './noise.js';

export const VIEWS = ['digit', 'row', 'grid'];

/** A seed from text, or null: decimal digits only, 0..MAX_SEED. */
export function parseSeed(text) {
  if (!/^\d{1,10}$/.test(text)) return null;
  const value = Number(text);
  return value <= MAX_SEED ? value : null;
}

/** z (Float32Array) as base64url of its little-endian bytes. */
export function encodeNoise(z) {
  const bytes = new Uint8Array(Float32Array.from(z).buffer);
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** encodeNoise's inverse; null when the text is not n finite float32 values. */
export function decodeNoise(text, n) {
  let binary;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch (err) {
    return null;
  }
  if (binary.length !== 4 * n) return null;
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const z = new Float32Array(bytes.buffer);
  return z.every(Number.isFinite) ? z : null;
}

/**
 * @param {string} search location.search
 * @param {{nHidden: number, labels: Array}} model sizes from contract.json
 * @returns {{state: {digit, seed, z, view, grid}, problems: string[], backend}}
 *   seed null and z null: none given (the page picks a random seed)
 */
export function parse(search, { nHidden, labels }) {
  const params = new URLSearchParams(search);
  const problems = [];
  const state = { digit: 0, seed: null, z: null, view: 'digit', grid: null };
  const seedRule = `a whole number from 0 to ${MAX_SEED}`;

  const labelKey = params.has('label') ? 'label' : 'digit';
  if (params.has(labelKey)) {
    const index = labels.map(String).indexOf(params.get(labelKey));
    const what = labelKey === 'digit' ? 'a digit' : 'a label';
    if (index >= 0) state.digit = index;
    else problems.push(`${labelKey}=${params.get(labelKey)} is not ${what} (${labels.join(', ')}): showing ${labels[0]}`);
  }
  if (params.has('z')) {
    state.z = decodeNoise(params.get('z'), nHidden);
    if (!state.z) problems.push(`z=… is not ${nHidden} numbers in this page's format: using a new random seed`);
  } else if (params.has('seed')) {
    state.seed = parseSeed(params.get('seed'));
    if (state.seed === null) {
      problems.push(`seed=${params.get('seed')} is not a seed (${seedRule}): using a new random seed`);
    }
  }
  if (params.has('view')) {
    if (VIEWS.includes(params.get('view'))) state.view = params.get('view');
    else problems.push(`view=${params.get('view')} is not one of ${VIEWS.join(', ')}: showing one digit`);
  }
  if (params.has('grid')) {
    state.grid = parseSeed(params.get('grid'));
    if (state.grid === null) problems.push(`grid=${params.get('grid')} is not a seed (${seedRule}): the grid starts at the seed`);
  }
  return { state, problems, backend: params.get('backend') };
}

/**
 * The query string for a state (with the backend when one was forced, and the data set when
 * it is not the digits).
 */
export function format(state, labels, backend = null, dataset = 'mnist') {
  const params = new URLSearchParams();
  if (dataset !== 'mnist') params.set('dataset', dataset);
  params.set(dataset === 'mnist' ? 'digit' : 'label', String(labels[state.digit]));
  if (state.seed !== null) params.set('seed', String(state.seed));
  else params.set('z', encodeNoise(state.z.tolist ? state.z.tolist() : state.z));
  if (state.view !== 'digit') params.set('view', state.view);
  if (state.view === 'grid' && state.grid !== null && state.grid !== state.seed) {
    params.set('grid', String(state.grid));
  }
  if (backend) params.set('backend', backend);
  return `?${params}`;
}
