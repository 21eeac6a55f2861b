export { newId, isId, ID_PREFIXES, type IdPrefix } from './ids.js';
