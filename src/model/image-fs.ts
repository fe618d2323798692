/**
 * The image filesystem model, per Dockerfile stage: which paths exist after each instruction
 * and who owns them, which accounts exist, which tools are on PATH, what pip/npm installed.
 * Built after the Dockerfile and compose models, because a COPY needs the build context that
 * compose names (src/model/build-context.ts `projectBuilds`). Implementation in ./image/.
 */
import type { SourceFile } from '../core/source-file.js';
import { projectBuilds } from './build-context.js';
import { buildImageModels, type ImageBuildOptions } from './image/build-image.js';
import type { DockerfileModel, ProjectModel } from './types.js';

export { buildImageModels, type ImageBuildOptions } from './image/build-image.js';
export type * from './image/types.js';

/** Set `stage.image` on every stage of every Dockerfile model the project uses. */
export async function addImageModels(model: ProjectModel, readText: (path: string) => SourceFile | undefined): Promise<void> {
  const done = new Set<DockerfileModel>();
  const contexts = new Map<string, ImageBuildOptions>();
  const read = (p: string): string | undefined => readText(p)?.text;
  const build = async (df: DockerfileModel, opts: ImageBuildOptions): Promise<void> => {
    if (done.has(df)) return;
    done.add(df);
    const images = await buildImageModels(df, opts);
    df.stages.forEach((s, i) => {
      const img = images[i];
      if (img) s.image = img;
    });
  };
  for (const b of projectBuilds(model)) {
    const opts: ImageBuildOptions = { contextDir: b.context, tree: model.tree, readText: read, ...(b.dockerignore ? { ignore: b.dockerignore } : {}) };
    if (!contexts.has(b.dockerfile.path)) contexts.set(b.dockerfile.path, opts);
    await build(b.dockerfile, opts);
  }
  // models no build lists (a compose service's argument-less twin, disabled services): the
  // context a build of the same file used, else unknown
  const rest = [...model.dockerfiles.values(), ...model.environments.flatMap((e) => e.services.map((s) => s.runtime.dockerfile))];
  for (const df of rest) if (df) await build(df, contexts.get(df.path) ?? { tree: model.tree, readText: read });
}
