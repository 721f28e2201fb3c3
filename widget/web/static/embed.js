/*! voipdown embed, MIT. Why each line is so: widget/web/embed.py */
(() => {
  "use strict";
  const me = document.currentScript;
  if (!me || !me.src || !document.adoptedStyleSheets) return;
  const base = me.src.replace(/embed(\/\w+)?\.js([?#].*)?$/, "");
  const MARK = "data-voipdown";
  const MINUTE = 6e4;
  const sheet = new CSSStyleSheet();
  const css = `:host{all:initial!important;display:block!important;color:inherit!important;font-size:inherit!important}
:host(voipdown-badge){display:inline-block!important}
:host(voipdown-ribbon){display:contents!important}
:host(span){display:inline-block!important;margin-inline-end:.25em!important;vertical-align:middle!important}
.h{display:none!important}
a{color:inherit;border-radius:2px}
svg{display:block;width:auto;height:1.5em;pointer-events:none}
svg *{fill:currentColor}
.f{display:block;font:max(1em,12px)/1.5 system-ui,sans-serif}
.f a:before{content:"";display:inline-block;width:.6em;height:.6em;margin-inline-end:.4em;border-radius:50%;background:var(--accent)}
.l{color:var(--text_on_light)}
.d{color:var(--text_on_dark)}
.b{display:inline-block;line-height:0}
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
  const seal = (host) => {
    const root = host.attachShadow({ mode: "closed" });
    root.adoptedStyleSheets = [sheet];
    return root;
  };

  const ask = (path, fresh) =>
    fetch(base + path, { credentials: "omit", referrerPolicy: "no-referrer", cache: fresh ? "no-cache" : "default" })
      .then((response) => (response.ok ? response : Promise.reject()));

  const get = (lang, fresh) =>
    ask(lang ? `api/${lang}/counter.json` : "api/counter.json", fresh)
      .then(async (response) => {
        const d = await response.json();
        return d.next && !response.headers.get("voipdown-live") && Date.now() >= Date.parse(d.next_change) ? { ...d, ...d.next } : d;
      })
      .then((d) =>
        typeof d.embed_enabled == "boolean" && Date.parse(d.next_change) > 0 &&
        [d.lang, d.label, d.message, d.sentence, d.valid_for, d.close_label].every((s) => typeof s == "string") &&
        d.languages.includes(d.lang) && d.needs_picture &&
        Object.values(d.colors).every((s) => /^#\w+$/.test(s)) ? d : null)
      .catch(() => null);

  const say = (d, part, pending) => {
    if (!d.needs_picture[part]) return d[part];
    const line = el("span", { role: "img", ariaLabel: d[part] });
    const words = d[part].split(" ").map((_, index) =>
      ask(`embed/${d.valid_for}/${d.lang}/text/${part}/light/${index + 1}.svg`)
        .then((response) => response.text())
        .then((text) => {
          const word = el("span");
          seal(word).append(new DOMParser().parseFromString(text, "image/svg+xml").documentElement);
          return word;
        }),
    );
    pending.push(Promise.all(words).then((drawn) => line.append(...drawn)));
    return line;
  };

  const widget = (script) => {
    const data = script.dataset;
    const variant = ["badge", "ribbon"].includes(data.variant) ? data.variant : "footer";
    const theme = ["light", "dark"].includes(data.theme) ? data.theme : "auto";
    const style = /^(flat(-square)?|plastic|for-the-badge)$/.test(data.style) ? data.style : "flat";
    const host = document.createElement("voipdown-" + variant);
    const root = seal(host);
    variant == "ribbon" ? document.body.append(host) : script.before(host);
    let shown, closed;
    const looks = () => {
      const [red, green, blue] = getComputedStyle(host).color.match(/[\d.]+/g) || [];
      return theme != "auto" ? theme : red * 0.3 + green * 0.6 + blue * 0.1 > 128 ? "dark" : "light";
    };

    const draw = (d, pending) => {
      const a = { href: `${base}${d.lang}/` };
      const lang = { lang: d.lang, dir: d.direction };
      if (variant == "badge") {
        const src = `${base}embed/${d.valid_for}/${d.lang}/badge/${style}/${looks()}.svg`;
        const badge = el("img", { crossOrigin: "anonymous", referrerPolicy: "no-referrer", alt: d.label + " " + d.message, src });
        pending.push(badge.decode());
        return el("a", { ...a, ...lang, className: "b" }, badge);
      }
      if (variant == "footer") return el("span", { ...lang, className: "f " + theme[0] }, el("a", a, say(d, "sentence", pending)));
      const close = el("button", { type: "button", ariaLabel: d.close_label }, "×");
      close.addEventListener("click", () => {
        closed = true;
        host.remove();
      });
      const link = el("a", a, el("b", {}, say(d, "message", pending)), " ", say(d, "label", pending));
      return el("aside", { ...lang, className: "r", ariaLabel: d.label }, link, close);
    };

    return {
      asked: data.lang,
      remove: () => host.remove(),
      async show(d) {
        if (closed) return false;
        sheet.replaceSync(css + `*{${Object.entries(d.colors).map((c) => "--" + c.join(":")).join(";")}}`);
        const pending = [];
        const box = draw(d, pending);
        box.classList.add("h");
        root.append(box);
        try {
          await Promise.all(pending);
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
      if (!src.startsWith(base) || !/^embed(\/\w+)?\.js([?#]|$)/.test(src.slice(base.length)) || script.hasAttribute(MARK)) continue;
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
