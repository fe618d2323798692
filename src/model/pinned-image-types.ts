/** Facts about a production service that runs a pinned image the repository also builds (model/pinned-images.ts). */
import type { Location } from '../core/location.js';
import type { ImageName, Sourced } from './types.js';

export interface PinnedImageBuild {
  environment: string;
  service: string;
  /** the service's `build` key */
  loc: Location;
  /** build context relative to the scanned root ('' = root) */
  context: string;
  dockerfile: string;
  /** the production service builds it itself (it has both `image` and `build`, and Compose pulls first) */
  self: boolean;
}

export interface PinnedImageChange {
  /** a build input relative to the scanned root: the Dockerfile or a dependency manifest */
  path: string;
  commit: string;
  /** committer time, seconds since the epoch */
  time: number;
}

/**
 * A production service whose `image:` pins a tag or digest of an image the repository builds,
 * with what git history says about it. Set only when the history could be read.
 */
export interface PinnedImageStaleness {
  /** the pinned reference, as compose resolves it */
  image: ImageName;
  /** the `image:` scalar that pins it */
  pinLoc: Location;
  /** the newest first-parent commit that introduced the pin line; absent when none of the `commitsRead` commits did */
  pinCommit?: string;
  pinTime?: number;
  /** first-parent commits read from HEAD when looking for the pin commit */
  commitsRead: number;
  /** how the repository builds the image (one entry per Dockerfile and context) */
  builds: PinnedImageBuild[];
  /** `pull_policy` of the production service, when written */
  pullPolicy?: Sourced<string>;
  /** build inputs whose last change is a later commit than the pin commit, newest first */
  changed: PinnedImageChange[];
}
