/** Helpers the env/* rules share (not a rule: the leading `_` keeps it out of the registry). */
import type { Location } from '../../core/location.js';
import type { EnvironmentModel, ServiceModel } from '../../model/types.js';

export const composeFlags = (env: EnvironmentModel): string => env.composeFiles.map((f) => `-f ${f}`).join(' ');

/** `docker compose -f a -f b exec svc printenv NAME` */
export function printenv(env: EnvironmentModel, svc: ServiceModel | string, names: string[]): string {
  const name = typeof svc === 'string' ? svc : svc.name;
  return `docker compose ${composeFlags(env)} exec ${name} printenv ${names.join(' ')}`;
}

export const where = (l: Location): string => (l.startLine === undefined ? l.file : `${l.file}:${l.startLine}`);

export const quoteList = (xs: readonly string[]): string => xs.map((x) => `"${x}"`).join(', ');

export const plural = (n: number, one: string, many = `${one}s`): string => (n === 1 ? one : many);

/** The compose file where an environment-specific change to a service belongs: the last one that defines it. */
export const serviceLocation = (svc: ServiceModel): Location => svc.definedIn[svc.definedIn.length - 1] ?? svc.loc;
