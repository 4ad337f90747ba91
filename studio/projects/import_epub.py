"""EPUB into chapters, through ebooklib (reading the package) and lxml (the pages).

One chapter per document in the reading order (the spine) that has text; its title is its
first heading (else the table of contents' entry, else "Chapter N"), read aloud as its first
block. Paragraphs, headings and list items become blocks; images, scripts, styles and all
markup are dropped. A DRM-encrypted book is refused (its pages are not readable text);
fonts obfuscated the standard way are fine.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from studio.projects.errors import ImportFailed
from studio.projects.import_text import join_lines
from studio.projects.schema import Block, Chapter

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre",
               "div", "td", "th", "figcaption"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DROP = {"script", "style", "img", "svg", "figure", "math", "audio", "video", "object",
         "head", "nav", "aside"}
_CONTENT = re.compile(r"\.(x?html?|xml|opf|ncx)$", re.IGNORECASE)


def check_not_encrypted(path: Path) -> None:
    """Refuse a book whose pages are encrypted (DRM); obfuscated fonts are allowed."""
    try:
        with zipfile.ZipFile(path) as zf:
            if "mimetype" in zf.namelist() and \
                    zf.read("mimetype").strip() != b"application/epub+zip":
                raise ImportFailed(f"{path.name} is a ZIP file but not an EPUB book.")
            try:
                enc = zf.read("META-INF/encryption.xml").decode("utf-8", "replace")
            except KeyError:
                return
    except zipfile.BadZipFile as exc:
        raise ImportFailed(f"{path.name} is not an EPUB book (an EPUB is a ZIP file; this "
                           "one is not).") from exc
    uris = re.findall(r"CipherReference[^>]*URI\s*=\s*[\"']([^\"']+)", enc)
    if any(_CONTENT.search(u) for u in uris) or "rights.xml" in enc:
        raise ImportFailed(f"{path.name} is protected by DRM (its pages are encrypted), so "
                           "its text cannot be read. Import a DRM-free copy.")


def _tag(el: object) -> str:
    tag = getattr(el, "tag", None)
    return tag.split("}")[-1].lower() if isinstance(tag, str) else ""


def _page_blocks(html: bytes) -> tuple[list[str], str | None]:
    """The texts of a page's blocks (in order) and its first heading."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return [], None
    for el in list(root.iter()):
        if _tag(el) in _DROP and el.getparent() is not None:
            el.drop_tree()
    texts: list[str] = []
    heading = None
    for el in root.iter():
        tag = _tag(el)
        if tag not in _BLOCK_TAGS or any(_tag(c) in _BLOCK_TAGS for c in el.iterdescendants()):
            continue  # not a block, or a container whose inner blocks are read instead
        text = join_lines(el.text_content())
        if text:
            texts.append(text)
            if heading is None and tag in _HEADINGS:
                heading = text
    return texts, heading


def epub_chapters(path: Path) -> tuple[list[Chapter], str, str]:
    """(chapters, title, author) of the book at ``path``."""
    check_not_encrypted(path)
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(str(path), options={"ignore_ncx": True})
    except Exception as exc:  # ebooklib raises many kinds for a malformed package
        raise ImportFailed(f"{path.name} is not a readable EPUB book ({exc}).") from exc
    toc_titles = {}
    for entry in _flat_toc(book.toc):
        href = getattr(entry, "href", "") or ""
        toc_titles.setdefault(href.split("#")[0], getattr(entry, "title", "") or "")
    chapters: list[Chapter] = []
    for item_id, _linear in book.spine:
        item = book.get_item_with_id(item_id)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            continue
        texts, heading = _page_blocks(item.get_content())
        if not texts:
            continue
        title = heading or toc_titles.get(item.get_name(), "") or f"Chapter {len(chapters) + 1}"
        blocks = [Block(t) for t in texts]
        if heading is None:
            blocks.insert(0, Block(title))
        chapters.append(Chapter(join_lines(title)[:500], blocks))
    title = _meta(book, "title")
    author = _meta(book, "creator")
    return chapters, title, author


def _meta(book: object, name: str) -> str:
    try:
        values = book.get_metadata("DC", name)  # type: ignore[attr-defined]
    except Exception:
        return ""
    return join_lines(str(values[0][0])) if values else ""


def _flat_toc(toc: object) -> list[object]:
    out: list[object] = []
    for entry in toc if isinstance(toc, list | tuple) else []:
        if isinstance(entry, tuple | list):
            out += _flat_toc(list(entry))
        else:
            out.append(entry)
    return out
