"""What a browser sends when someone presses a form's submit button without changing a thing.

Used by the "saved unchanged, nothing changes" tests of every edit form: the form is read
from the page's HTML exactly as served (selected options, checked boxes, textareas), so a
field the page fails to pre-fill is caught as the corruption it causes.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, action: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, str | None] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and not self.found:
            if self.action is None or (a.get("action") or "") == self.action:
                self.inside = self.found = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a, ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None:
            value = self._option.get("value")
            self._options.append((value if value is not None else self._option_text.strip(),
                                  "selected" in self._option))  # fmt: skip
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.fields.append((self._select, (chosen or [self._options[0][0]])[-1]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser reads CR LF as LF, drops the one newline that follows <textarea>,
            # and sends line ends as CR LF.
            text = self._text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\n")
            self.fields.append((self._textarea, text.replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


def unchanged_submission(html: str, action: str | None = None) -> dict[str, str | list[str]]:
    """The fields of the first form, or of the one posting to ``action`` ("" for a form that
    posts back to its own page), as a browser submits them."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action!r}"
    data: dict[str, str | list[str]] = {}
    for name, value in reader.fields:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data
