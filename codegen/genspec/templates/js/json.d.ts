export interface Position {
  line: number;
  column: number;
}

export interface DuplicateKey extends Position {
  pointer: string;
  key: string;
  firstLine: number;
  firstColumn: number;
}

export interface RoundedNumber extends Position {
  pointer: string;
  /** The literal as written. */
  text: string;
  /** What JSON.parse makes of it. */
  value: number;
}

export interface ParsedJson {
  value: unknown;
  duplicates: DuplicateKey[];
  rounded: RoundedNumber[];
  valueAt(pointer: string): Position | null;
  keyAt(pointer: string): Position | null;
}

export declare class JsonSyntaxError extends SyntaxError {
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export declare function parseJson(text: string, options?: { maxDepth?: number }): ParsedJson;
