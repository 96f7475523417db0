/**
 * Standard input for commands: read all of it (`--password-stdin`), or prompt on a terminal for a
 * secret without echo (raw mode: the terminal shows nothing of what is typed, as getpass does).
 */
import { CliError } from './output/index.js';

export interface Input {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  setEncoding?(encoding: BufferEncoding): unknown;
  on(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'error', fn: (e?: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Everything on `input` until end of file, as UTF-8 text. */
export function readAll(input: Input): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    input.on('data', (c) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
    input.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    input.on('error', (e) => reject(e ?? new Error('stdin failed')));
    input.resume();
  });
}

/** One line typed on the terminal `input` after `prompt` (written with `write`), never echoed. */
export function readHidden(input: Input, write: (s: string) => void, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      input.removeAllListeners('data');
      input.setRawMode?.(false);
      input.pause();
      write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    // Raw mode first: a key typed as soon as the prompt shows is never echoed.
    input.setRawMode?.(true);
    write(prompt);
    input.setEncoding?.('utf8');
    input.on('data', (chunk) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new CliError('Operation cancelled.'));
        if (ch === '\u0004') return value ? finish() : finish(new CliError('No password was typed.'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    });
    input.resume();
  });
}
