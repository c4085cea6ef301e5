// Global test set-up: the artifacts folder (screenshots, ticket previews) that CI keeps.
import { mkdirSync } from 'node:fs';

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

export default function setup(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
}
