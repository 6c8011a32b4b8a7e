/**
 * The generator's input, built with numjs: z from the training prior (standard normal,
 * by Box-Muller from numjs's uniform [0, 1) samples), reproducible from a 32-bit seed; the
 * one-hot label, or a mix of two labels; interpolation between two z for the morph
 * animation. No DOM.
 */
import nj from 'numjs';

/**
 * A uniform [0, 1) source. Without a seed, numjs's own (Math.random); with one, a small
 * deterministic generator (mulberry32) so a page opened with ?seed=N draws the same digits.
 * @returns {(n: number) => nj.NdArray} n uniform samples, float64, shape [n]
 */
export function uniformSource(seed = null) {
  if (seed === null || seed === undefined) return (n) => nj.random([n]);
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n) => nj.array(Array.from({ length: n }, next), 'float64');
}

/**
 * z ~ N(0, 1)^n by the Box-Muller transform: for u1, u2 uniform on [0, 1),
 * r = sqrt(-2 ln(1 - u1)) (1 - u1 is in (0, 1], so the log is finite),
 * z1 = r cos(2 pi u2), z2 = r sin(2 pi u2) are independent standard normals.
 * @returns {nj.NdArray} shape [n], float64
 */
export function sampleNormal(n, uniform = uniformSource()) {
  const pairs = Math.ceil(n / 2);
  const r = nj.sqrt(nj.log(nj.negative(uniform(pairs)).add(1)).multiply(-2));
  const angle = uniform(pairs).multiply(2 * Math.PI);
  return nj.concatenate(r.multiply(nj.cos(angle)), r.multiply(nj.sin(angle))).hi(n);
}

/** one_hot(label) over nClasses, float32, shape [nClasses]. */
export function oneHot(label, nClasses) {
  if (!(Number.isInteger(label) && label >= 0 && label < nClasses)) {
    throw new Error(`label must be an integer in [0, ${nClasses}), got ${label}`);
  }
  const v = nj.zeros([nClasses], 'float32');
  v.set(label, 1);
  return v;
}

/** Largest seed: seeds are unsigned 32-bit integers (mulberry32's state). */
export const MAX_SEED = 0xFFFFFFFF;

/** A fresh random seed, 0..MAX_SEED. */
export function randomSeed() {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** The z a seed stands for: the first n_hidden normals of that seed's stream. */
export const noiseFromSeed = (seed, n) => sampleNormal(n, uniformSource(seed));

/** z as the numjs float64 vector the pages keep, from any array of numbers. */
export const noiseVector = (values) => nj.array(Array.from(values), 'float64');

/**
 * The generator's single input concat(z, one_hot(label)) as a Float32Array of
 * length n_hidden + n_classes (networks.Generator.make_input).
 */
export function generatorInput(z, label, nClasses) {
  const zArray = z instanceof nj.NdArray ? z : noiseVector(z);
  return Float32Array.from(nj.concatenate(zArray, oneHot(label, nClasses)).tolist());
}

/**
 * The input for a morph frame: z between zFrom and zTo (slerp) and the label between
 * labelFrom and labelTo, as (1 - t) one_hot(from) + t one_hot(to): the generator was only
 * trained on one-hot labels, but a mix of two draws a digit turning into the other.
 */
export function morphInput(zFrom, zTo, labelFrom, labelTo, t, nClasses) {
  const z = slerp(zFrom, zTo, t);
  const label = oneHot(labelFrom, nClasses).multiply(1 - t).add(oneHot(labelTo, nClasses).multiply(t));
  return Float32Array.from(nj.concatenate(z, label).tolist());
}

/**
 * Spherical interpolation between z0 (t = 0) and z1 (t = 1); linear when they are
 * (nearly) parallel. Gaussian z live near a sphere of radius sqrt(n), and slerp stays
 * near it, so every frame looks like a digit rather than a faded average.
 */
export function slerp(z0, z1, t) {
  const norms = Math.sqrt(z0.dot(z0).get(0) * z1.dot(z1).get(0));
  const cos = Math.min(1, Math.max(-1, z0.dot(z1).get(0) / norms));
  const omega = Math.acos(cos);
  if (omega < 1e-6) return z0.multiply(1 - t).add(z1.multiply(t));
  const s = Math.sin(omega);
  return z0.multiply(Math.sin((1 - t) * omega) / s).add(z1.multiply(Math.sin(t * omega) / s));
}
