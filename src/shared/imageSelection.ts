/** Which images a batch (or a new project) applies to, as every front names them. */

/** Listed images, or every result of a query minus some. */
export type Selection = { kind: 'ids'; ids: number[] } | { kind: 'query'; query: string; except: number[] };
