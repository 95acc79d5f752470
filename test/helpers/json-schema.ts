// A validator for the subset of JSON Schema (2020-12) that
// docs/report.schema.json uses. It throws on any keyword it does not know, so
// the schema cannot grow a rule that goes unchecked here.
type Schema = Record<string, unknown>

const kAnnotations = new Set(['$schema', '$id', 'title', 'description'])
const kKeywords = new Set(['type', 'const', 'required', 'properties', 'additionalProperties', 'items', '$ref', 'minimum',
  'exclusiveMinimum', '$defs', 'anyOf'])

/** Returns the errors, `[]` for a valid value. Each error names the JSON path. */
export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = []
  check(schema, schema, value, '$', errors)
  return errors
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function matchesType(type: string, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value)
  return typeOf(value) === type
}

function check(root: Schema, schema: Schema, value: unknown, path: string, errors: string[]): void {
  for (const key of Object.keys(schema)) {
    if (!kKeywords.has(key) && !kAnnotations.has(key)) throw new Error(`json-schema helper: unsupported keyword ${key} at ${path}`)
  }
  if (typeof schema['$ref'] === 'string') {
    const name = /^#\/\$defs\/(.+)$/.exec(schema['$ref'])?.[1]
    const target = name === undefined ? undefined : (root['$defs'] as Record<string, Schema> | undefined)?.[name]
    if (target === undefined) throw new Error(`json-schema helper: unresolved $ref ${schema['$ref']}`)
    check(root, target, value, path, errors)
  }
  if (Array.isArray(schema['anyOf'])) {
    const options = schema['anyOf'] as Schema[]
    const failures = options.map((option) => {
      const found: string[] = []
      check(root, option, value, path, found)
      return found
    })
    if (!failures.some((found) => found.length === 0)) errors.push(...failures.flat())
  }
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? schema['type'] as string[] : [schema['type'] as string]
    if (!types.some((type) => matchesType(type, value))) {
      errors.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`)
      return
    }
  }
  if ('const' in schema && value !== schema['const']) errors.push(`${path}: expected ${JSON.stringify(schema['const'])}`)
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) errors.push(`${path}: ${value} < ${schema['minimum']}`)
    if (typeof schema['exclusiveMinimum'] === 'number' && value <= schema['exclusiveMinimum']) {
      errors.push(`${path}: ${value} <= ${schema['exclusiveMinimum']}`)
    }
  }
  if (Array.isArray(value) && schema['items'] !== undefined) {
    value.forEach((item, i) => {
      check(root, schema['items'] as Schema, item, `${path}[${i}]`, errors)
    })
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>
    for (const key of (schema['required'] as string[] | undefined) ?? []) {
      if (!(key in object)) errors.push(`${path}: missing ${key}`)
    }
    const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {}
    for (const [key, item] of Object.entries(object)) {
      const property = properties[key]
      if (property !== undefined) check(root, property, item, `${path}.${key}`, errors)
      else if (schema['additionalProperties'] === false) errors.push(`${path}: unexpected property ${key}`)
      else if (typeof schema['additionalProperties'] === 'object') {
        check(root, schema['additionalProperties'] as Schema, item, `${path}.${key}`, errors)
      }
    }
  }
}
