/**
 * Parses a raw commit object (the bytes after the `commit <size>\0` header) into the fields the
 * pull-request branch check needs: tree, parents, author, committer and message.
 */

import type { CommitInfo, GitIdentity } from '../../core/ports.js';

function parseIdentity(value: string): GitIdentity {
  const m = /^(.*?)\s*<([^>]*)>\s*(\d+)?/.exec(value);
  return { name: m?.[1] ?? '', email: m?.[2] ?? '', timestamp: Number(m?.[3] ?? 0) };
}

export function parseCommit(oid: string, data: Buffer): CommitInfo {
  const text = data.toString('utf8');
  const split = text.indexOf('\n\n');
  const header = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author: GitIdentity = { name: '', email: '', timestamp: 0 };
  let committer = author;
  // Continuation lines (a signature's `gpgsig` block) start with a space: skip them.
  for (const line of header.split('\n')) {
    if (line.startsWith(' ')) continue;
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseIdentity(value);
    else if (key === 'committer') committer = parseIdentity(value);
  }
  return { oid, tree, parents, author, committer, message };
}
