/**
 * Decision trees and forests: `DecisionTreeClassifier` / `DecisionTreeRegressor`
 * (CART), `RandomForestClassifier` / `RandomForestRegressor` and
 * `ExtraTreesClassifier` / `ExtraTreesRegressor` (trees built on worker threads).
 */
export { DecisionTreeClassifier, DecisionTreeRegressor, type DecisionTreeClassifierParams, type DecisionTreeRegressorParams, type PruningPath } from './decision-tree.js';
export {
  RandomForestClassifier,
  RandomForestRegressor,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  type ForestClassifierParams,
  type ForestRegressorParams,
} from './forest.js';
export type { MaxFeatures } from './settings.js';
export type { TreeData } from './tree-data.js';
