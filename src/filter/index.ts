// The filter room: label sets (bitmap or posting list by density), numeric attribute columns, filter
// predicates ({"label"}, {"and"}, {"or"}, {"not"}, {"range"}) and their evaluation into match sets with
// exact selectivity. Used by build (start points per label) and search (filtered strategies).
export { Bitset } from "./bitset.ts";
export { LabelStore, Match } from "./label-store.ts";
export { type Bounds, type Filter, filterKey, parseFilter, parseFilterText } from "./predicate.ts";
export { labelStartPoints } from "./start-points.ts";
export { openLabelStore } from "./open-labels.ts";
