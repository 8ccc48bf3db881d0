"""The mirror's CDN host: the answer to a requisite (``assets``), on the sites' own hosts and on the CDN's."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.mirror import assets
from crawler.mirror.response import Response


def asset_response(asset: assets.Asset) -> Response:
    """Return the response serving a requisite (fonts with CORS, as CDNs send them).

    Args:
        asset: the style sheet, image, font or script.

    Returns:
        The response.
    """
    text = asset.content_type.startswith(("text/", "application/javascript"))
    # A font from another origin is used only with CORS, which CDNs send for fonts.
    cors = (("Access-Control-Allow-Origin", "*"),) if asset.content_type.startswith("font/") else ()
    return Response(200, asset.body, asset.content_type, cors, encodable=text, last_modified=assets.ASSET_DATE)


class CdnRoutes:
    """Routes of the mirror's CDN host: robots.txt, both sites' fonts and images (``assets.cdn_asset``)."""

    site = "cdn"

    def route(self, target: str) -> Response:
        """Answer a request target.

        Args:
            target: path and query of the request.

        Returns:
            The asset, or a plain 404.
        """
        asset = assets.cdn_asset(urlsplit(target).path)
        if asset is None:
            return Response(404, b"Not Found\n", "text/plain; charset=UTF-8", encodable=False)
        return asset_response(asset)
