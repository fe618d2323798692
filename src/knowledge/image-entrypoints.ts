/**
 * Base image families whose image config sets no ENTRYPOINT, so Docker executes the CMD's first
 * word itself. Other families run an entrypoint script first (node, postgres, redis and nginx run
 * `docker-entrypoint.sh`, which may prefix the CMD; distroless python3/nodejs run the interpreter).
 */
export const NO_ENTRYPOINT: Record<string, string> = {
  python: 'docker-library/python:3.12/bookworm/Dockerfile (ends with CMD ["python3"], no ENTRYPOINT)',
  'python-slim': 'docker-library/python:3.12/slim-bookworm/Dockerfile (CMD ["python3"], no ENTRYPOINT)',
  'python-alpine': 'docker-library/python:3.12/alpine3.23/Dockerfile (CMD ["python3"], no ENTRYPOINT)',
  debian: 'debuerreotype images: CMD ["bash"], no ENTRYPOINT',
  'debian-slim': 'debuerreotype images: CMD ["bash"], no ENTRYPOINT',
  ubuntu: 'ubuntu official image: CMD ["/bin/bash"], no ENTRYPOINT',
  alpine: 'alpinelinux/docker-alpine: CMD ["/bin/sh"], no ENTRYPOINT',
  'buildpack-deps': 'docker-library/buildpack-deps Dockerfiles: no ENTRYPOINT or CMD (debian CMD ["bash"])',
  scratch: 'Dockerfile reference: scratch is an empty image with no config',
};
