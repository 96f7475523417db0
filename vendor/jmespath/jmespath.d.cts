// Types for the parts of the vendored jmespath.js 0.16.0 that src/cli/output/query.ts uses.

/** A parsed expression node (jmespath.js AST). */
export interface JmesNode {
  type: string;
  name?: string;
  value?: unknown;
  children?: (JmesNode | undefined | null)[];
  jmespathType?: unknown;
}

export interface Token {
  type: string;
  value: unknown;
  start: number;
}

export declare function tokenize(expression: string): Token[];
export declare function compile(expression: string): JmesNode;
export declare function search(data: unknown, expression: string): unknown;

export declare class Lexer {
  tokenize(expression: string): Token[];
  _looksLikeJSON(literal: string): boolean;
}

export declare class Parser {
  tokens: Token[];
  parse(expression: string): JmesNode;
  _loadTokens(expression: string): void;
}

export interface FunctionSignature {
  types: number[];
  variadic?: boolean;
}

export declare class Runtime {
  constructor(interpreter?: TreeInterpreter);
  _interpreter: TreeInterpreter;
  callFunction(name: string, resolvedArgs: unknown[]): unknown;
  _validateArgs(name: string, args: unknown[], signature: FunctionSignature[]): void;
  /** jmespath.js type code: 0 number, 2 string, 3 array, 4 object, 5 boolean, 6 expref, 7 null. */
  _getTypeName(value: unknown): number | undefined;
  _functionLength(args: unknown[]): unknown;
  _functionReverse(args: unknown[]): unknown;
}

export declare class TreeInterpreter {
  constructor(runtime: Runtime);
  search(node: JmesNode, value: unknown): unknown;
  visit(node: JmesNode, value: unknown): unknown;
}
