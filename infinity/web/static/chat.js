// Local chat: the star system's channel (`say` out, `chat` lines in).

const MAX_LINES = 200;
const MAX_CHARS = 280; // docs/protocol.md: `say` text is 1–280 characters

export class Chat {
  /** `send(text)` delivers a line; it returns false when offline. */
  constructor(log, form, input, send) {
    this.log = log;
    this.input = input;
    this.send = send;
    this.ownShip = null;
    this.lines = []; // [ship, name, text], also read by the test hook
    input.maxLength = MAX_CHARS;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) {
        input.blur(); // an empty Enter hands the keys back to the helm
        return;
      }
      if (this.send(text.slice(0, MAX_CHARS)) !== false) input.value = "";
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") input.blur();
      event.stopPropagation(); // typing must never fly the ship
    });
  }

  focus() {
    this.input.focus();
  }

  /** Replace the log (the welcome's recent chat). */
  reset(lines) {
    this.lines = [];
    this.log.replaceChildren();
    this.add(lines || []);
  }

  system(text) {
    this.append(null, "", text, "system");
  }

  add(lines) {
    for (const [ship, name, text] of lines) {
      this.lines.push([ship, name, text]);
      this.append(ship, name, text, ship === this.ownShip ? "own" : "");
    }
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  append(ship, name, text, cls) {
    // Stick to the bottom only if the reader has not scrolled up.
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 8;
    const row = document.createElement("div");
    row.className = `line ${cls}`.trim();
    if (name) {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = name;
      row.append(who, " ");
    }
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text; // never innerHTML: chat is untrusted
    row.append(body);
    this.log.append(row);
    while (this.log.children.length > MAX_LINES) this.log.firstElementChild.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}
