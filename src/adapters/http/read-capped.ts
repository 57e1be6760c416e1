/**
 * The one way an HTTP adapter (GitHub, GitLab, webhooks) reads an answer: whole, but never more than a cap,
 * so a huge or endless answer costs at most the cap in memory. The declared `content-length` is checked
 * before a byte is read; the stream is cancelled as soon as it passes the cap.
 */

/**
 * The body's bytes, or null when the answer is larger than `maxBytes` (declared or sent).
 * @example
 * const body = await readCapped(res, 64 * 2 ** 20);
 * if (body === null) throw new Error('answer too large');
 */
export async function readCapped(res: Response, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}
