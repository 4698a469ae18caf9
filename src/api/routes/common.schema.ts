import { z } from 'zod';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(),
      articles: z.array(z.string()).optional(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe('what the message is made of, as codes, for wording it in another language'),
      correlationId: z.string().optional(),
    }),
  })
  .describe('Error');

export const idParams = z.strictObject({ id: z.coerce.number().int().positive() });

/** Error responses every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
  500: errorSchema,
};

export const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');
