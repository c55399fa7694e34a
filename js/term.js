// The exec page's terminal: xterm.js and its fit addon, bundled by
// scripts/build-ui.sh into the app's folder and loaded only by that page.
// Yurt's wasm drives it through `window.yurtTerm` (src/interop/term.rs).
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

// xterm.js writes its theme and cell sizes into <style> elements it
// creates, which a strict content security policy (style-src 'self')
// refuses to apply. Each one it asks for is instead an inert element whose
// text goes into a constructed stylesheet (CSSOM, which the policy
// allows). Nothing else in Yurt creates <style> elements.
function styleSheetElement(doc) {
  const el = doc.createElement('yurt-style');
  el.hidden = true;
  const sheet = new CSSStyleSheet();
  let text = '';
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  Object.defineProperty(el, 'textContent', {
    get: () => text,
    set: (t) => { text = String(t); sheet.replaceSync(text); },
  });
  const remove = el.remove.bind(el);
  el.remove = () => {
    remove();
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
  };
  return el;
}
const createElement = Document.prototype.createElement;
Document.prototype.createElement = function (tag, options) {
  return String(tag).toLowerCase() === 'style' ? styleSheetElement(this) : createElement.call(this, tag, options);
};

function theme(el) {
  const css = getComputedStyle(el);
  const v = (name) => css.getPropertyValue(name).trim() || undefined;
  return {
    background: v('--term-bg'),
    foreground: v('--term-fg'),
    cursor: v('--term-fg'),
    selectionBackground: v('--term-selection'),
  };
}

function open(el, onData, onResize) {
  const term = new Terminal({
    cursorBlink: true,
    convertEol: false,
    fontFamily: getComputedStyle(el).fontFamily,
    fontSize: 13,
    scrollback: 10000,
    theme: theme(el),
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  // The async clipboard needs a secure context (https or localhost); an
  // agent on plain http gets the older copy command, and paste is left to
  // the browser (Ctrl+V or the context menu reach xterm's own textarea).
  const clip = window.isSecureContext && navigator.clipboard;
  const copy = () => {
    const text = term.getSelection();
    if (!text) return 0;
    if (clip) {
      clip.writeText(text).catch(() => {});
    } else {
      const t = document.createElement('textarea');
      t.value = text;
      document.body.appendChild(t);
      t.select();
      try { document.execCommand('copy'); } catch (_) {}
      t.remove();
      term.focus();
    }
    return text.length;
  };
  const paste = async () => {
    if (!clip?.readText) return false;
    const text = await clip.readText().catch(() => '');
    if (text) term.paste(text);
    return true;
  };
  // Ctrl+Shift+C / Ctrl+Shift+V as terminal emulators do: Ctrl+C stays ^C.
  term.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
    if (e.code === 'KeyC') { copy(); e.preventDefault(); return false; }
    if (e.code === 'KeyV' && clip?.readText) { paste(); e.preventDefault(); return false; }
    return true;
  });
  term.onData((s) => onData(s));
  term.onResize(({ rows, cols }) => onResize(rows, cols));
  const ro = new ResizeObserver(() => { try { fit.fit(); } catch (_) {} });
  ro.observe(el);
  fit.fit();
  return {
    write: (bytes) => term.write(bytes),
    notice: (s) => term.write(`\r\n\x1b[2m${s}\x1b[0m\r\n`),
    rows: () => term.rows,
    cols: () => term.cols,
    focus: () => term.focus(),
    copy,
    paste,
    // What the screen shows, for tests and for "copy all".
    screen: () => {
      const b = term.buffer.active;
      const lines = [];
      for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n').replace(/\n+$/, '');
    },
    dispose: () => { ro.disconnect(); term.dispose(); },
  };
}

window.yurtTerm = { open };
