/** JSON.parse that answers undefined for text that is not JSON (metadata, problem bodies, settings). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
