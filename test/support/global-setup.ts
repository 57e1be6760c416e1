/** Vitest global setup: runs once per test run, before any suite. */
import { corpusNotice } from './corpus.js';

export default function setup(): void {
  const notice = corpusNotice();
  if (notice) console.log(notice);
}
