// What a reader in Chinese mode must never see: an English sentence (the server's words, a
// forgotten string) or a dictionary key the console lacks. Browser tests call this on each page.
import type { Page } from 'playwright-core';

/** Four or more Latin words in a row: a sentence, not a code, a name or a unit ("GB/T 28181", "Vigil"). */
const SENTENCE = /\b[A-Za-z][a-z]+(?:[ ,'’-]+[A-Za-z][a-z]+){3,}/g;

export interface LanguageFindings {
  sentences: string[];
  missingKeys: string[];
}

/** The English sentences in the page's visible text and the keys the console asked for and lacked. */
export async function scanLanguage(page: Page, allowed: readonly RegExp[] = []): Promise<LanguageFindings> {
  // Sent as a function so the console's CSP (no eval) does not refuse it; no DOM types on this side.
  const { text, missing } = await page.evaluate(new Function(`return { text: document.body.innerText, missing: window.vigilMissingKeys ?? [] };`) as () => { text: string; missing: string[] });
  const sentences = [...new Set(text.match(SENTENCE) ?? [])].filter((s) => !allowed.some((a) => a.test(s)));
  return { sentences, missingKeys: missing };
}
