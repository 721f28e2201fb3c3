// The landing page's snippet builder. Progressive enhancement: without this script the page
// shows ready-made snippets; with it, the builder appears, previews exactly what will be pasted (on a
// light and on a dark page) and copies it. The snippets are built the same way as widget/web/snippets.py's
// build_snippet (a browser test compares them), from the absolute base URL the server puts in data-base.
// No inline handlers, no globals, no third-party anything: the page's CSP forbids them.
(() => {
  "use strict";

  const form = document.getElementById("builder");
  if (!form) return;
  const byId = (id) => document.getElementById(id);
  const base = form.dataset.base;
  const controls = {
    format: byId("b-format"),
    lang: byId("b-lang"),
    variant: byId("b-variant"),
    style: byId("b-style"),
    theme: byId("b-theme"),
    image: byId("b-image"),
    scale: byId("b-scale"),
  };
  const snippetBox = byId("snippet");
  // The snippet on a light and on a dark page: "auto" follows either, "light" and "dark" suit one.
  const previews = { light: byId("preview"), dark: byId("preview-dark") };
  const copyButton = byId("copy");
  const copyStatus = byId("copy-status");
  const ready = byId("ready");

  // The same characters, and the same entities, as Python's markupsafe.escape.
  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
  const escapeHtml = (text) => text.replace(/[&<>"']/g, (character) => ENTITIES[character]);
  // Path forms naming every value, as widget/web/paths.py writes them: they work on a static copy too.
  const pageUrl = (lang) => `${base}${lang}/`;

  function badgeUrl(choice, image, scale) {
    const look = choice.theme === "dark" ? "dark" : "light";
    const file = image === "png" ? `${look}@${scale}x.png` : `${look}.svg`;
    return `${base}badge/${choice.lang}/${choice.style}/${file}`;
  }

  function htmlImage(choice, alt) {
    const src = badgeUrl(choice, choice.image, 1);
    let srcset = "";
    if (choice.image === "png" && choice.scale !== 1) {
      srcset = ` srcset="${escapeHtml(badgeUrl(choice, "png", choice.scale))} ${choice.scale}x"`;
    }
    return `<a href="${escapeHtml(pageUrl(choice.lang))}"><img src="${escapeHtml(src)}"${srcset} alt="${escapeHtml(alt)}"></a>`;
  }

  function buildSnippet(choice, alt) {
    if (choice.format === "script") {
      const attributes =
        `async src="${escapeHtml(base)}embed.js" data-lang="${choice.lang}" ` +
        `data-variant="${choice.variant}" data-theme="${choice.theme}"`;
      const theme = choice.theme === "dark" ? "dark" : "light";
      const fallback = { format: "html", lang: choice.lang, style: "flat", theme, image: "svg", scale: 1 };
      return `<script ${attributes}></script>\n<noscript>${htmlImage(fallback, alt)}</noscript>`;
    }
    if (choice.format === "html") return htmlImage(choice, alt);
    const src = badgeUrl(choice, choice.image, choice.scale);
    const link = pageUrl(choice.lang);
    if (choice.format === "markdown") return `[![${alt.replace(/[[\]]/g, "\\$&")}](${src})](${link})`;
    if (choice.format === "bbcode") return `[url=${link}][img]${src}[/img][/url]`;
    return src;
  }

  // What the pasted snippet looks like on a page: HTML formats as they are, the others as the
  // image (and link) a forum or Markdown renderer would make of them.
  function previewBody(choice, snippet, alt) {
    if (choice.format === "script" || choice.format === "html") return snippet;
    const image = `<img src="${escapeHtml(badgeUrl(choice, choice.image, choice.scale))}" alt="${escapeHtml(alt)}">`;
    return choice.format === "url" ? image : `<a href="${escapeHtml(pageUrl(choice.lang))}">${image}</a>`;
  }

  function currentChoice() {
    return {
      format: controls.format.value,
      lang: controls.lang.value,
      variant: controls.variant.value,
      style: controls.style.value,
      theme: controls.theme.value,
      image: controls.image.value,
      scale: Number(controls.scale.value),
    };
  }

  function showFields(choice) {
    const isScript = choice.format === "script";
    for (const field of form.querySelectorAll("[data-for]")) {
      const wanted = field.dataset.for;
      field.hidden = !(
        (wanted === "script" && isScript) ||
        (wanted === "image" && !isScript) ||
        (wanted === "png" && !isScript && choice.image === "png")
      );
    }
    // Images have no automatic theme: an <img> cannot follow the reader's colour scheme.
    controls.theme.querySelector('option[value="auto"]').disabled = !isScript;
    if (!isScript && controls.theme.value === "auto") controls.theme.value = "light";
  }

  function update() {
    showFields(currentChoice());
    const choice = currentChoice();
    const alt = controls.lang.selectedOptions[0].dataset.alt;
    const snippet = buildSnippet(choice, alt);
    snippetBox.value = snippet;
    snippetBox.style.height = "auto";
    snippetBox.style.height = `${snippetBox.scrollHeight + 2}px`;
    for (const [scheme, preview] of Object.entries(previews)) {
      preview.srcdoc =
        `<!doctype html><html lang="${choice.lang}"><head><meta charset="utf-8">` +
        `<meta name="color-scheme" content="${scheme}"><base target="_blank"></head>` +
        `<body>${previewBody(choice, snippet, alt)}</body></html>`;
    }
    copyStatus.textContent = "";
  }

  async function copy() {
    copyStatus.textContent = "";
    copyStatus.classList.remove("failed");
    try {
      await navigator.clipboard.writeText(snippetBox.value);
      copyStatus.textContent = copyButton.dataset.copied;
    } catch {
      snippetBox.focus();
      snippetBox.select();
      copyStatus.classList.add("failed");
      copyStatus.textContent = copyButton.dataset.failed;
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => event.preventDefault());
  copyButton.addEventListener("click", copy);
  form.hidden = false;
  if (ready) ready.hidden = true;
  update();
})();
