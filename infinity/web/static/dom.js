// The few DOM helpers every panel uses.

export const $ = (id) => document.getElementById(id);

/** A new element with a class and text (never HTML: much of it is from other players). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Set an element's text only when it changed: the panels refresh at display rate. */
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}
