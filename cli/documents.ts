/** The `translate` and `parse` commands: the JSON form ⇄ Concur XML for suppliers being onboarded and scripts. */
import { ConcurDocumentError, documentProblem, parseConcurXml, translateToConcurXml } from '../shared/concur';
import type { TranslationKind, ValidationProfile } from '../shared/concur';
import { problemType } from '../shared/problem';
import { failWith, readInput } from './io';

export interface TranslateCommandOptions {
  profile: ValidationProfile;
  compact?: boolean;
}

export async function translateCommand(
  kind: TranslationKind,
  file: string | undefined,
  options: TranslateCommandOptions,
): Promise<void> {
  const source = await readInput(file);
  if (source === undefined) return;
  let document: unknown;
  try {
    document = JSON.parse(source);
  } catch (error) {
    return failWith({
      type: problemType('invalid-json'),
      title: 'The input is not JSON',
      status: 400,
      detail: (error as Error).message,
      errors: [{ path: '', message: (error as Error).message }],
    });
  }
  try {
    const xml = translateToConcurXml(kind, document, { profile: options.profile, pretty: !options.compact });
    process.stdout.write(`${xml}\n`);
  } catch (error) {
    if (error instanceof ConcurDocumentError)
      return failWith(documentProblem(error, { profile: options.profile }));
    throw error;
  }
}

export async function parseCommand(file: string | undefined, options: { compact?: boolean }): Promise<void> {
  const source = await readInput(file);
  if (source === undefined) return;
  try {
    const document = parseConcurXml(source);
    process.stdout.write(`${JSON.stringify(document, null, options.compact ? undefined : 2)}\n`);
  } catch (error) {
    if (error instanceof ConcurDocumentError) return failWith(documentProblem(error));
    throw error;
  }
}
