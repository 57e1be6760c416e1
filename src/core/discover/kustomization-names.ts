/**
 * The file names kustomize reads as a folder's kustomization, in its order of preference
 * (sigs.k8s.io/kustomize/api/konfig: `RecognizedKustomizationFileNames`). Every reader of the repository
 * (the working tree, Git objects) and every stage (discovery, planning, apply) asks this one list, so a
 * root is the same root whichever way the repository is read: `Kustomization` has no `.yaml` extension,
 * and a reader that looked only for YAML files would not see it.
 */
import { baseName } from './repo-paths.js';

export const KUSTOMIZATION_NAMES: readonly string[] = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** Whether a repo-relative path names a kustomization file. */
export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_NAMES.includes(baseName(path));
}
