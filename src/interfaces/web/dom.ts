// Small DOM helpers for the dashboard: elements built with text (never HTML strings, so
// nothing from the API is ever parsed as markup), tables with header cells, messages.
export type Child = Node | string;

export function element<Tag extends keyof HTMLElementTagNameMap>(tag: Tag, attributes: Record<string, string> = {}, children: readonly Child[] = []): HTMLElementTagNameMap[Tag] {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  created.append(...children);
  return created;
}

export function byId<Found extends HTMLElement>(id: string, type: new () => Found): Found {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
}

export type Column = { readonly label: string; readonly numeric?: boolean };

/** A table with a caption and column headers; an empty list says so in one row. */
export function dataTable(caption: string, columns: readonly Column[], rows: readonly (readonly Child[])[], empty: string): HTMLTableElement {
  const headerCells = columns.map((column) => element('th', { scope: 'col', ...(column.numeric === true ? { class: 'amount' } : {}) }, [column.label]));
  const bodyRows = rows.length === 0
    ? [element('tr', {}, [element('td', { colspan: String(columns.length) }, [empty])])]
    : rows.map((cells) => element('tr', {}, cells.map((cell, index) => element('td', columns[index]?.numeric === true ? { class: 'amount' } : {}, [cell]))));
  return element('table', {}, [element('caption', { class: 'visually-hidden' }, [caption]), element('thead', {}, [element('tr', {}, headerCells)]), element('tbody', {}, bodyRows)]);
}

export function showMessage(id: string, text: string): void {
  byId(id, HTMLElement).textContent = text;
}

export function replaceContent(id: string, ...children: Child[]): void {
  byId(id, HTMLElement).replaceChildren(...children);
}
