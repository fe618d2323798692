/**
 * Official images whose Dockerfiles declare no HEALTHCHECK, so a service running them has a
 * healthcheck only when compose gives it one. Read from the Dockerfiles named beside each
 * entry (snapshots listed in shared KNOWLEDGE.md section 1). Any other image is unknown.
 */
export const NO_IMAGE_HEALTHCHECK: Record<string, string> = {
  postgres: 'docker-library/postgres:17/bookworm/Dockerfile (no HEALTHCHECK instruction)',
  redis: 'docker-library/redis:7.2/debian/Dockerfile; redis/docker-library-redis:debian/Dockerfile',
  nginx: 'nginxinc/docker-nginx:mainline/debian/Dockerfile, mainline/alpine/Dockerfile',
  python: 'docker-library/python:3.12/*/Dockerfile',
  node: 'nodejs/docker-node:22/*/Dockerfile',
  debian: 'debuerreotype/docker-debian-artifacts rootfs images have no image config healthcheck',
  alpine: 'alpinelinux/docker-alpine (rootfs only)',
};

/** `postgres`, `library/postgres`, `docker.io/library/postgres` → `postgres`; others undefined */
export function officialImageName(repository: string): string | undefined {
  const r = repository.replace(/^(?:docker\.io\/|index\.docker\.io\/|registry-1\.docker\.io\/)/, '').replace(/^library\//, '');
  return r.includes('/') ? undefined : r;
}

export function imageHasNoHealthcheck(repository: string): boolean {
  const name = officialImageName(repository);
  return name !== undefined && name in NO_IMAGE_HEALTHCHECK;
}
