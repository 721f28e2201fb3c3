/*! voipdown embed, MIT. Why each line is so: widget/web/embed.py */
(() => {
  "use strict";
  const me = document.currentScript;
  if (!me || !me.src || !document.adoptedStyleSheets) return;
  const origin = new URL(me.src).origin;
  const MARK = "data-voipdown";
  const MINUTE = 6e4;
  const sheet = new CSSStyleSheet();
  const css = `:host{all:initial!important;display:block!important}
:host(voipdown-badge){display:inline-block!important}
:host(voipdown-ribbon){display:contents!important}
.h{display:none!important}
a{color:inherit;border-radius:2px}
img{vertical-align:middle;height:1.5em;max-width:100%}
.f{display:block;font:.875em/1.5 system-ui,sans-serif;color:var(--text_on_light)}
.f a:before{content:"";display:inline-block;width:.6em;height:.6em;margin-inline-end:.4em;border-radius:50%;background:var(--accent)}
.d{color:var(--text_on_dark)}
@media(prefers-color-scheme:dark){.a{color:var(--text_on_dark)}}
.b{display:inline-block;line-height:0}
.b img{height:auto}
.r{position:fixed;z-index:2147483647;bottom:16px;inset-inline-start:16px;display:flex;align-items:start;max-width:calc(100vw - 32px);background:var(--accent);color:var(--accent_text);border:1px solid #0000;border-radius:6px;box-shadow:0 2px 8px #0006;font:13px/1.4 system-ui,sans-serif}
.r a{padding:8px 8px 10px;text-decoration:none}
.r b{display:block;font-size:22px}
.r button{all:unset;padding:4px 8px;font:20px/1 system-ui,sans-serif;cursor:pointer;border-radius:2px}
:focus-visible{outline:2px solid;outline-offset:2px}
@media(prefers-reduced-motion:no-preference){.in{animation:in .5s ease-out}}
@keyframes in{from{transform:translateY(150%)}}`;

  const el = (name, props, ...kids) => {
    const node = Object.assign(document.createElement(name), props);
    node.append(...kids);
    return node;
  };

  const get = (lang, fresh) =>
    fetch(`${origin}/api/counter.json${lang ? "?lang=" + lang : ""}`, {
      credentials: "omit",
      referrerPolicy: "no-referrer",
      cache: fresh ? "no-cache" : "default",
    })
      .then((response) => response.ok && response.json())
      .then((d) =>
        typeof d.embed_enabled == "boolean" && Date.parse(d.next_change) > 0 &&
        [d.lang, d.label, d.message, d.sentence, d.valid_for, d.close_label].every((s) => typeof s == "string") &&
        d.languages.includes(d.lang) && d.needs_picture &&
        Object.values(d.colors).every((s) => /^#\w+$/.test(s)) ? d : null)
      .catch(() => null);

  const picture = (path, d, theme, alt) => {
    const url = (t) => `${origin}/embed/${path}&lang=${d.lang}&theme=${t}&day=${d.valid_for}`;
    const img = el("img", { crossOrigin: "anonymous", referrerPolicy: "no-referrer", alt, src: url(theme == "dark" ? "dark" : "light") });
    return theme == "auto" ? el("picture", {}, el("source", { media: "(prefers-color-scheme:dark)", srcset: url("dark") }), img) : img;
  };
  const say = (d, part, theme) => (d.needs_picture[part] ? picture("text.svg?part=" + part, d, theme, d[part]) : d[part]);

  const widget = (script) => {
    const data = script.dataset;
    const variant = ["badge", "ribbon"].includes(data.variant) ? data.variant : "footer";
    const theme = ["light", "dark"].includes(data.theme) ? data.theme : "auto";
    const style = /^(flat(-square)?|plastic|for-the-badge)$/.test(data.style) ? data.style : "flat";
    const host = document.createElement("voipdown-" + variant);
    const root = host.attachShadow({ mode: "closed" });
    root.adoptedStyleSheets = [sheet];
    variant == "ribbon" ? document.body.append(host) : script.before(host);
    let shown, closed;

    const draw = (d) => {
      const a = { href: `${origin}/?lang=${d.lang}` };
      const lang = { lang: d.lang, dir: d.direction };
      if (variant == "badge") return el("a", { ...a, ...lang, className: "b" }, picture("badge.svg?style=" + style, d, theme, d.sentence));
      if (variant == "footer") return el("span", { ...lang, className: "f " + theme[0] }, el("a", a, say(d, "sentence", theme)));
      const close = el("button", { type: "button", ariaLabel: d.close_label }, "×");
      close.addEventListener("click", () => {
        closed = true;
        host.remove();
      });
      const link = el("a", { ...a, ariaLabel: d.sentence }, el("b", {}, say(d, "message", "dark")), say(d, "label", "dark"));
      return el("aside", { ...lang, className: "r", ariaLabel: d.label }, link, close);
    };

    return {
      asked: data.lang,
      remove: () => host.remove(),
      async show(d) {
        if (closed) return false;
        sheet.replaceSync(css + `*{${Object.entries(d.colors).map((c) => "--" + c.join(":")).join(";")}}`);
        const box = draw(d);
        box.classList.add("h");
        root.append(box);
        try {
          await Promise.all([...box.querySelectorAll("img")].map((img) => img.decode()));
        } catch {
          box.remove();
          if (!shown) host.remove();
          return !!shown;
        }
        if (shown) shown.remove();
        else if (variant == "ribbon") box.classList.add("in");
        box.classList.remove("h");
        shown = box;
        return !closed;
      },
    };
  };

  const run = (lang, widgets, first) => {
    let next = 0;
    const tick = async (fresh) => {
      const d = first || (await get(lang, fresh));
      first = null;
      let wait = 10 * MINUTE;
      if (d && !d.embed_enabled) return widgets.forEach((w) => w.remove());
      if (d) {
        const alive = await Promise.all(widgets.map((w) => w.show(d)));
        widgets = widgets.filter((w, i) => alive[i]);
        const at = Date.parse(d.next_change);
        wait = at > next ? Math.max(at - Date.now(), 0) + 1e3 + Math.random() * 59e3 : 5 * MINUTE;
        next = at;
      }
      if (!next) widgets.forEach((w) => w.remove());
      else if (widgets.length) setTimeout(tick, wait, true);
    };
    tick();
  };

  const start = async () => {
    const widgets = [];
    for (const script of document.querySelectorAll("script[src]")) {
      const { src } = script;
      if (!src.startsWith(origin) || !/^\/embed(\/\w+)?\.js([?#]|$)/.test(src.slice(origin.length)) || script.hasAttribute(MARK)) continue;
      script.setAttribute(MARK, "");
      widgets.push(widget(script));
    }
    if (!widgets.length) return;
    const d = await get("");
    if (!d || !d.embed_enabled) return widgets.forEach((w) => w.remove());
    const groups = new Map();
    for (const w of widgets) {
      const tags = [w.asked, document.documentElement.lang].map((tag) => (tag || "").toLowerCase().split("-")[0]);
      const lang = tags.find((tag) => d.languages.includes(tag)) || d.lang;
      groups.set(lang, [...(groups.get(lang) || []), w]);
    }
    groups.forEach((widgets, lang) => run(lang, widgets, lang == d.lang && d));
  };
  document.readyState == "loading" ? document.addEventListener("DOMContentLoaded", start, { once: true }) : start();
})();
