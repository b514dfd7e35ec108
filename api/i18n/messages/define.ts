/**
 * A page's messages: English, and Russian with exactly the same keys (a missing or extra
 * Russian key is a type error).
 */
export function defineMessages<const En extends Record<string, string>>(en: En, ru: { [K in keyof En]: string }) {
  return { en, ru };
}
