"""Checks that every link of a set of pages resolves: a relative link names
a file that exists, and its fragment an element of that page. Pages are
HTML (read as a browser's DOM when one is given, else as written) or
Markdown; links to other sites are counted, not followed.

    problems, counts = check(pages, dom=None)
"""
import os
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

# Markdown: [text](target) and ![alt](target), target up to a space or ")".
_MD_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


class _Links(HTMLParser):
    """The links (a/link href, img/script/iframe src) and the ids of a page."""

    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        key = "href" if tag in ("a", "link", "area") else "src" if tag in (
            "img", "script", "iframe", "source") else None
        if key and a.get(key) is not None:
            self.links.append((tag, a[key]))


def parse_html(text):
    p = _Links()
    p.feed(text)
    p.close()
    return p.links, p.ids


def _markdown_ids(text):
    """GitHub's heading anchors, near enough for links between our pages."""
    ids = set()
    for line in text.splitlines():
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            ids.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return ids


def _page(path, dom=None):
    """(links, ids) of a page; dom: its HTML as a browser built it."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".md"):
        return [("md", t) for t in _MD_LINK.findall(text)], _markdown_ids(text)
    return parse_html(dom if dom is not None else text)


def check(pages, dom=None):
    """([problem, ...], {"links": n, "external": n}) for the pages (paths);
    dom: {path: the DOM a browser dumped} for pages read through one."""
    dom = dom or {}
    parsed = {}

    def page_of(path):
        """(links, ids) of a page, each page parsed once."""
        if path not in parsed:
            parsed[path] = _page(path, dom.get(path))
        return parsed[path]

    def ids_of(path):
        return page_of(path)[1]

    problems, n, external = [], 0, 0
    for page in pages:
        links = page_of(page)[0]
        for tag, target in links:
            n += 1
            u = urlsplit(target)
            if u.scheme or u.netloc:
                if u.scheme in ("http", "https", "mailto"):
                    external += 1
                else:
                    problems.append("%s: <%s> %s: a link a reader's browser may not follow" % (
                        page, tag, target))
                continue
            dest = os.path.normpath(os.path.join(os.path.dirname(page), unquote(u.path))) \
                if u.path else page
            if not os.path.isfile(dest):
                problems.append("%s: <%s> %s: no such file (%s)" % (page, tag, target, dest))
                continue
            frag = unquote(u.fragment)
            if frag and (dest.endswith(".html") or dest.endswith(".md")) and \
                    frag not in ids_of(dest) and u.fragment not in ids_of(dest):
                problems.append("%s: <%s> %s: %s has no element with id %r" % (
                    page, tag, target, os.path.basename(dest), frag))
    return problems, {"links": n, "external": external}
