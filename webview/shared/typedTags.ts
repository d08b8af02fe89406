/** Tags as a user types them into a tag box. */

/** The tags typed as text: split at commas, trimmed, empty ones dropped. */
export function typedTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
