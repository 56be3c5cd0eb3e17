/**
 * The seed of a randomised test: `fixed` unless DPL_PROPERTY_SEED says otherwise, a number to replay
 * a failure (fast-check and the campaigns print theirs) or "random" to draw a new one.
 */
export function testSeed(fixed: number): number {
  const given = process.env.DPL_PROPERTY_SEED;
  if (given === "random") return Math.floor(Math.random() * 2 ** 31);
  return given === undefined ? fixed : Number(given);
}
