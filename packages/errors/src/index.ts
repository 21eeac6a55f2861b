export { AppError, ERROR_CODES, statusOf, type ErrorCode, type FieldProblem } from './app-error.js';
export { problemHandler, notFoundHandler, toProblem, type Problem } from './problem-handler.js';
export { parseInput, zodProblems } from './parse-input.js';
export { characterProblems, characterRuleBroken, CONTROL_CHARACTER_RULE, UNPAIRED_SURROGATE_RULE } from './input-characters.js';
export { ok, fail, type Result } from './result.js';
