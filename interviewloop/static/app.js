// Progressive help only: every page works without this file.
// A page whose form was refused moves focus to its error summary, so keyboard and screen
// reader users start at what went wrong (the summary links to each field).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
});
