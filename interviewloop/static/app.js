// Progressive help only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A page whose form was refused moves focus to its error summary, so keyboard and screen
  // reader users start at what went wrong (the summary links to each field).
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
  const draft = document.querySelector("form[data-autosave]");
  if (draft) autosave(draft);
  for (const link of document.querySelectorAll("a[data-picker]")) openInPlace(link);
});

// A link to a picker's page (a loop question's replacements) opens the picker in place
// instead: the server's fragment replaces the element named, and focus moves to it. On any
// failure the link is followed as usual.
function openInPlace(link) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(link.dataset.picker, {credentials: "same-origin"});
      if (!response.ok) throw new Error(response.statusText);
      const target = document.getElementById(link.dataset.replaces);
      target.insertAdjacentHTML("afterend", await response.text());
      const opened = target.nextElementSibling;
      target.remove();
      opened.querySelector("select")?.focus();
    } catch {
      window.location.assign(link.href);
    }
  });
}

// A scorecard draft saves itself a moment after its author stops typing or choosing. Each
// save sends the version the form was loaded on and takes the new one back, so a save from
// a stale tab is refused (409) and overwrites nothing; the typed text stays on the page.
function autosave(form) {
  const status = document.getElementById("save-status");
  let timer = null, saving = null, again = false, stopped = false;

  const say = (text, bad) => {
    status.textContent = text;
    status.classList.toggle("error", bad);
  };

  const send = async () => {
    try {
      const response = await fetch(form.dataset.autosave, {
        method: "POST", body: new FormData(form), headers: {Accept: "application/json"},
        credentials: "same-origin", redirect: "error",
      });
      const reply = await response.json();
      if (response.ok) {
        form.elements.version.value = reply.version;
        say(`Saved at ${reply.saved_at}`, false);
      } else {
        stopped = response.status === 409;  // stale or submitted: the buttons decide now
        say(`Not saved: ${reply.error}`, true);
      }
    } catch {
      say("Not saved automatically (offline, or signed out?): your text is still here, " +
          "and Save draft saves it.", true);
    }
  };

  // One save at a time, each carrying the version the last one returned.
  const save = () => {
    if (saving) {
      again = true;
      return;
    }
    saving = send().finally(() => {
      saving = null;
      if (again && !stopped) {
        again = false;
        save();
      }
    });
  };

  form.addEventListener("input", () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  // A button press waits for a save under way, so that it carries the newest version.
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    again = false;
    if (saving) {
      event.preventDefault();
      saving.then(() => form.requestSubmit(event.submitter));
    }
  });
}
