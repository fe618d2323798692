import type { ImageName } from './types.js';

/**
 * Splits an image reference into repository, tag and digest, as written (no `docker.io/library/`
 * normalisation): `localhost:5000/app:1.0`, `python@sha256:...`, `python:3.12-slim@sha256:...`.
 * A `:` only starts a tag after the last `/`, so a registry port is never read as a tag.
 */
export function parseImageName(raw: string): ImageName {
  let rest = raw.trim();
  const name: ImageName = { raw, repository: rest };
  const at = rest.indexOf('@');
  if (at >= 0) {
    name.digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    name.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  name.repository = rest;
  return name;
}
