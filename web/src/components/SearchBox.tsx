import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { gql } from '../api/client';
import { SUGGEST } from '../api/ops/search';
import type { SuggestQuery, SuggestQueryVariables } from '../generated/graphql';
import { entityPath } from '../lib/links';
import { humanize } from '../lib/format';

type Suggestion = SuggestQuery['suggest'][number];

/**
 * The search box: an ARIA 1.2 combobox with a listbox of suggestions (debounced as you
 * type). Arrows move, Enter opens the active suggestion or searches the text, Escape
 * closes the list (and clears the text when the list is already closed).
 */
export function SearchBox({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(initial);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const navigate = useNavigate();
  const typed = useRef(false);

  useEffect(() => setText(initial), [initial]);

  useEffect(() => {
    const prefix = text.trim();
    if (!typed.current || prefix.length < 1) {
      setItems([]);
      return;
    }
    const ctrl = new AbortController();
    const t = window.setTimeout(() => {
      gql<SuggestQuery, SuggestQueryVariables>(SUGGEST, { prefix }, ctrl.signal)
        .then((d) => {
          setItems(d.suggest);
          setActive(-1);
          setOpen(d.suggest.length > 0);
        })
        .catch(() => {});
    }, 150);
    return () => {
      window.clearTimeout(t);
      ctrl.abort();
    };
  }, [text]);

  function choose(s: Suggestion) {
    setOpen(false);
    navigate(entityPath(s.kind, s.id));
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (open && active >= 0 && items[active]) {
      choose(items[active]);
      return;
    }
    setOpen(false);
    typed.current = false;
    onSearch(text);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open && items.length > 0) setOpen(true);
      setActive((a) => (items.length === 0 ? -1 : (a + 1) % items.length));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (items.length === 0 ? -1 : a <= 0 ? items.length - 1 : a - 1));
    } else if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        setOpen(false);
        setActive(-1);
      } else if (text) {
        e.preventDefault();
        setText('');
      }
    }
  }

  const expanded = open && items.length > 0;
  return (
    <form role="search" className="searchbox" onSubmit={submit}>
      <label htmlFor="search-input" className="sr-only">
        Search datasets, tables, columns, folders and glossary terms
      </label>
      <svg className="searchbox-icon" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3Zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10Z" fill="currentColor" />
      </svg>
      <input
        id="search-input"
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder="Search datasets, tables, columns, terms…"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(e) => {
          typed.current = true;
          setText(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => window.setTimeout(() => setOpen(false), 120)}
      />
      <ul id={listId} role="listbox" aria-label="Suggestions" className="suggestions" hidden={!expanded}>
        {items.map((s, i) => (
          <li
            key={`${s.kind}-${s.id}`}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(s);
            }}
            onMouseEnter={() => setActive(i)}
          >
            <span className="suggestion-text">{s.text}</span>
            <span className="kind">{humanize(s.kind)}</span>
          </li>
        ))}
      </ul>
      <button type="submit" className="btn btn-primary">
        Search
      </button>
    </form>
  );
}
