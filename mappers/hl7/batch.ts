/**
 * The messages of a file or stream: one message, or a batch (FHS/BHS … BTS/FTS around them).
 * Split at each MSH; the batch's header and trailer segments are left out.
 */
export function messagesIn(text: string): string[] {
  return text
    .replace(/\r\n|\n/g, '\r')
    .split(/\r(?=MSH)/)
    .map((m) =>
      m
        .split('\r')
        .filter((s) => s && !/^(FHS|BHS|BTS|FTS)/.test(s))
        .join('\r'),
    )
    .filter((m) => m.startsWith('MSH'));
}
