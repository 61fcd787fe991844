/** Model inspection. */
export { permutationImportance, type PermutationImportanceOptions, type PermutationImportanceResult } from './permutation-importance.js';
