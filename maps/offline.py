"""Offline pages: folium lays the map out, the Leaflet assets come from ``templates/vendor``.

folium's classes link Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. :func:`render_page`
removes every such link from the element tree, inlines the vendored Leaflet and
MarkerCluster files (``<script>``/``<style>``; images as ``data:`` URIs), and refuses to return
a page that still loads anything over http(s). The maps only use plain Leaflet objects, so
nothing needs jQuery or Bootstrap.
"""
from __future__ import annotations

import base64
import functools
import re
from importlib.resources import files

import branca.element as be
import folium

#: (vendor path, kind) in load order; Leaflet first.
ASSETS = (
    ("leaflet/leaflet.css", "css"),
    ("leaflet.markercluster/MarkerCluster.css", "css"),
    ("leaflet.markercluster/MarkerCluster.Default.css", "css"),
    ("leaflet/leaflet.js", "js"),
    ("leaflet.markercluster/leaflet.markercluster.js", "js"),
)
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$|/\*# sourceMappingURL=.*?\*/", re.M)
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")
_REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _vendor(path: str) -> bytes:
    return files("tc8.templates").joinpath("vendor", *path.split("/")).read_bytes()


def _data_uri(match: re.Match, base: str) -> str:
    data = base64.b64encode(_vendor(f"{base}/{match.group(1)}")).decode("ascii")
    return f"url(data:image/png;base64,{data})"


@functools.lru_cache(maxsize=1)
def inline_assets() -> str:
    """The vendored CSS and JS as ``<style>``/``<script>`` tags (about 190 kB)."""
    parts = []
    for path, kind in ASSETS:
        body = _SOURCE_MAP.sub("", _vendor(path).decode("utf-8"))
        if kind == "css":
            base = path.rsplit("/", 1)[0]
            body = _CSS_URL.sub(lambda m, b=base: _data_uri(m, b), body)
            parts.append(f"<style>/* {path} */\n{body}</style>")
        else:
            parts.append(f"<script>/* {path} */\n{body}</script>")
    return "\n".join(parts)


def local_css(name: str) -> str:
    """A stylesheet of ``templates/`` (e.g. ``map_panel.css``) as a ``<style>`` tag."""
    return "<style>" + files("tc8.templates").joinpath(name).read_text(encoding="utf-8") + "</style>"


def _strip_links(element) -> None:
    """Empty ``default_js``/``default_css`` of ``element`` and all its descendants (instance level)."""
    stack = [element]
    while stack:
        node = stack.pop()
        if hasattr(node, "default_js"):
            node.default_js = []
            node.default_css = []
        stack.extend(getattr(node, "_children", {}).values())


class RemoteAssetError(RuntimeError):
    """A rendered map still references an http(s) asset (a folium change we must follow)."""


def remote_references(html: str) -> list[str]:
    """Tags of ``html`` that load a script, stylesheet, image or frame over the network."""
    return [m.group(0) for m in _REMOTE.finditer(html)]


class RawHtml(be.Element):
    """Trusted, already-escaped HTML inserted as is (never compiled as a template, so data
    containing ``{{ }}`` stays text, and large assets are not re-parsed by Jinja)."""

    _template = be.Template("{{ this.content }}")

    def __init__(self, content: str):
        super().__init__()
        self._name = "RawHtml"
        self.content = content


def linked_assets(prefix: str) -> str:
    """``<link>``/``<script src>`` tags to the vendored files copied by :func:`write_assets`
    under ``prefix`` (a relative URL ending in ``/``, e.g. ``"../assets/"``): for atlas pages."""
    return "\n".join(f'<link rel="stylesheet" href="{prefix}{path}">' if kind == "css"
                      else f'<script src="{prefix}{path}"></script>' for path, kind in ASSETS)


#: Vendored files an atlas folder needs besides :data:`ASSETS` (images referenced by the CSS).
ASSET_IMAGES = ("leaflet/images/layers.png", "leaflet/images/layers-2x.png", "leaflet/images/marker-icon.png",
                "leaflet/images/marker-icon-2x.png", "leaflet/images/marker-shadow.png")


def asset_files() -> dict[str, bytes]:
    """Relative path -> bytes of every shared file of an atlas ``assets/`` folder (fixed order)."""
    out = {path: _SOURCE_MAP.sub("", _vendor(path).decode("utf-8")).encode("utf-8") for path, _ in ASSETS}
    out.update({path: _vendor(path) for path in ASSET_IMAGES})
    return out


def _stable_ids(root) -> None:
    """Number every element of the page in tree order (folium draws random ids), so the same map is
    the same bytes in every run and every process."""
    stack, n = [root], 0
    while stack:
        node = stack.pop()
        if hasattr(node, "_id"):
            node._id = str(n)
            n += 1
        if getattr(node, "var_name", "").startswith("tc8_data_"):
            node.var_name = f"tc8_data_{n}"
        stack.extend(reversed(list(getattr(node, "_children", {}).values())))


def render_page(fmap: folium.Map, *, extra_head: str = "", title: str = "", body: str = "",
                assets: str | None = None) -> str:
    """Render ``fmap`` as one self-contained HTML page with no network asset.

    ``extra_head`` (after the vendored assets) and ``body`` (panels) are trusted HTML. Online tile layers
    are allowed (tiles are images requested by Leaflet, not page assets) but nothing is
    loaded from a CDN; raises :class:`RemoteAssetError` otherwise. ``assets``: link the vendored
    files under this relative URL instead of inlining them (atlas pages, see :func:`linked_assets`).
    """
    root = fmap.get_root()
    _strip_links(root)
    _stable_ids(root)
    head = (inline_assets() if assets is None else linked_assets(assets)) + "\n" + extra_head
    if title:
        import html as _html
        head = f"<title>{_html.escape(title)}</title>\n" + head
    root.header.add_child(RawHtml(head), name="tc8_assets", index=0)
    if body:
        root.html.add_child(RawHtml(body), name="tc8_panels")
    page = root.render()
    bad = remote_references(page)
    if bad:
        raise RemoteAssetError("map still loads remote assets: " + "; ".join(bad[:3]))
    return page
