// Reading aids for the book's pages, loaded on every page by book/_ext/nncourse_sphinx.py.
//
// On a narrow screen the table of contents and the page contents open as dialogs over the page.
// The theme leaves a dialog open when one of its links is followed, so a heading of the same page
// stays hidden behind it: close the dialog as soon as a link in it is clicked.
document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal"]) {
    const dialog = document.getElementById(id);
    if (!dialog) continue;
    dialog.addEventListener("click", (event) => {
      const link = event.target.closest("a[href]");
      if (link && dialog.open) setTimeout(() => dialog.close(), 0);
    });
  }
});
