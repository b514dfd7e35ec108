/**
 * The Graph API's `fields` parameter: a comma-separated list where a field may carry its own
 * sub-selection in braces (`instagram_business_account{id,username}`), and the rendering of a
 * node from the fields a caller asked for, refusing a field the node type does not have.
 */
import { invalidParameter, nonexistingField } from './graph-errors';

/** Requested fields, each with its own sub-selection when braces gave one. */
export type FieldSelection = Map<string, FieldSelection | undefined>;

/** Parses `fields`; absent or empty means the node's default fields. */
export function parseFields(raw: string | null, defaults: readonly string[]): FieldSelection {
  if (raw === null || raw.trim() === '') return new Map(defaults.map((name) => [name, undefined]));
  let pos = 0;
  const list = (): FieldSelection => {
    const selection: FieldSelection = new Map();
    for (;;) {
      const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*/.exec(raw.slice(pos));
      if (!name) throw invalidParameter(`(#100) Syntax error in fields at character ${pos}: ${raw}`);
      pos += name[0].length;
      let sub: FieldSelection | undefined;
      if (raw[pos] === '{') {
        pos += 1;
        sub = list();
        if (raw[pos] !== '}') throw invalidParameter(`(#100) Syntax error in fields at character ${pos}: ${raw}`);
        pos += 1;
      }
      selection.set(name[1]!, sub);
      while (raw[pos] === ' ') pos += 1;
      if (raw[pos] !== ',') return selection;
      pos += 1;
    }
  };
  const selection = list();
  if (pos !== raw.length) throw invalidParameter(`(#100) Syntax error in fields at character ${pos}: ${raw}`);
  return selection;
}

/** How a node type renders each field it has; `undefined` leaves the field out, as Graph does for an unset value. */
export type FieldRenderers = Record<string, (sub: FieldSelection | undefined) => unknown>;

/** The node as JSON with the requested fields, `id` always first when asked for. */
export function renderNode(nodeType: string, selection: FieldSelection, renderers: FieldRenderers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, sub] of selection) {
    const render = renderers[field];
    if (!render) throw nonexistingField(field, nodeType);
    const value = render(sub);
    if (value !== undefined) out[field] = value;
  }
  return out;
}
