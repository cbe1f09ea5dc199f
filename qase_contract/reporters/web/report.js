// The report's filters: each form.filters narrows the rows of its table by the rows' data-
// attributes and by text. The rows only change their hidden flag; no text is ever parsed as markup.
"use strict";
document.querySelectorAll("form.filters[data-table]").forEach((form) => {
  const table = document.getElementById(form.dataset.table);
  if (!table || !table.tBodies.length) return;
  const rows = Array.from(table.tBodies[0].rows);
  const words = rows.map((row) => row.textContent.toLowerCase());
  const count = form.querySelector("output");
  const apply = () => {
    const wanted = Array.from(form.querySelectorAll("select"))
      .filter((select) => select.value)
      .map((select) => [select.name, select.value]);
    const search = form.querySelector("input[type=search]");
    const text = search ? search.value.trim().toLowerCase() : "";
    let shown = 0;
    rows.forEach((row, index) => {
      const keep = wanted.every(([name, value]) => row.dataset[name] === value) && (!text || words[index].includes(text));
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    });
    if (count) count.textContent = shown + " of " + rows.length + " rows shown";
  };
  form.addEventListener("input", apply);
  form.addEventListener("submit", (event) => event.preventDefault());
  apply();
});
