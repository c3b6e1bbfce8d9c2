/** One finding: where in the instance, which keyword of which schema place, and why. */
export interface Finding {
  /** JSON Pointer of the offending value ("" is the whole instance), where python-jsonschema puts it. */
  instancePath: string;
  /** JSON Pointer of the failing keyword in the schema document. */
  schemaPath: string;
  keyword: string;
  /** The enclosing x-rule's id; null for plain schema errors. */
  ruleId: string | null;
  severity: "error" | "warning";
  message: string;
  /** The member at fault (missing, unknown or dependent), else null. */
  property: string | null;
}

export interface Rule {
  severity: "error" | "warning";
  message: string;
  source: string;
  reference: string;
}

export declare const RULES: Readonly<Record<string, Rule>>;
/** Ids of the warning rules (the advice): validate() reports them, isValid() ignores them. */
export declare const ADVICE: readonly string[];
/** True when no error-severity finding exists: the API accepts the value. */
export declare function isValid(instance: unknown): boolean;
/** The constraint errors only (what isValid decides, each failure listed; no advice). */
export declare function errors(instance: unknown): Finding[];
/** Every finding: the errors first, then the advice warnings ({ advice: false }: errors only). */
export declare function validate(instance: unknown, options?: { advice?: boolean }): Finding[];
