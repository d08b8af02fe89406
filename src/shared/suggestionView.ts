/** Model suggestions waiting for review, as the image editor shows them. */

/** A model's tag suggestion waiting for review: its name as it would be written, the model id (without `model:`), the confidence (null when unknown). */
export interface SuggestionView {
  name: string;
  model: string;
  confidence: number | null;
}

/** A captioning model's sentence held for review (the caption was hand-written). */
export interface HeldSentenceView {
  model: string;
  text: string;
}

/** What the image editor reviews: pending tag suggestions and held sentences (the webview hides those the caption already has). */
export interface SuggestionsView {
  tags: SuggestionView[];
  sentences: HeldSentenceView[];
}
