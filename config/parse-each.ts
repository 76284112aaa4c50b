import type { z } from 'zod';

/**
 * Parses each variable with its own schema, so one bad value neither hides another nor the checks across
 * settings: the values that did parse (defaults included) come back beside one line per problem. A
 * whole-object parse yields no data at all once any field fails.
 */
export function parseEach<Shape extends z.ZodRawShape>(
  shape: Shape,
  input: Record<string, string | undefined>,
): { data: Partial<z.infer<z.ZodObject<Shape>>>; lines: string[] } {
  const data: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const parsed = (schema as z.ZodTypeAny).safeParse(input[name]);
    if (parsed.success) data[name] = parsed.data;
    else for (const issue of parsed.error.issues) lines.push(`${name}: ${issue.message.replace(/ \([A-Z0-9_]+\)$/, '')}`);
  }
  return { data: data as Partial<z.infer<z.ZodObject<Shape>>>, lines };
}
