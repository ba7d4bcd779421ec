// i18n.js: the app's messages in Chinese (the default) and English; the
// choice is kept in localStorage. The messages themselves are in
// messages.js, which the server generates from the one catalogue
// (internal/i18n: field.json and the problem codes).
import { zh, en } from "./messages.js";


let lang = (typeof localStorage !== "undefined" && localStorage.getItem("lang")) || "zh";

/** t returns the message for key in the current language, filling {vars}. */
export function t(key, vars = {}) {
  const s = (lang === "en" ? en : zh)[key] || zh[key] || key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

/** problem returns a field problem of an API error ({code, args}) in
 * words; an argument may itself be a problem. */
export function problem(p) {
  const args = {};
  for (const [k, v] of Object.entries(p.args || {})) {
    args[k] = v && typeof v === "object" && v.code ? problem(v) : Array.isArray(v) ? v.join(", ") : v;
  }
  return t("problem." + p.code, args);
}

/** getLang returns "zh" or "en". */
export const getLang = () => lang;

/** setLang switches the language and remembers it. */
export function setLang(l) {
  lang = l === "en" ? "en" : "zh";
  localStorage.setItem("lang", lang);
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
}
