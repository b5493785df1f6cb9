/** The git branch checked out around a workspace, read from .git/HEAD (no git process needed). */
import fs from "node:fs";
import path from "node:path";

/** .git/HEAD of the repository containing `dir` (worktrees and submodules included), or null. */
export function gitHeadFile(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const dotGit = path.join(d, ".git");
    try {
      const stat = fs.statSync(dotGit);
      if (stat.isDirectory()) return path.join(dotGit, "HEAD");
      const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, "utf8"));
      if (pointer) return path.join(path.resolve(d, pointer[1].trim()), "HEAD");
    } catch {
      // not here: look in the parent
    }
    if (path.dirname(d) === d) return null;
  }
}

/** The checked-out branch name, or null (no repository, or a detached HEAD). */
export function readGitBranch(headFile: string | null): string | null {
  if (!headFile) return null;
  try {
    const match = /^ref: refs\/heads\/(.+)$/m.exec(fs.readFileSync(headFile, "utf8"));
    return match ? match[1].trim() : null;
  } catch {
    return null;
  }
}
