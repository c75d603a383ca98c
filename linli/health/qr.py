"""The QR code of the printed card, drawn on the server as inline SVG (segno): no image
service, nothing fetched when the card is printed."""

import segno
from django.utils.safestring import SafeString, mark_safe


def svg(url: str, *, scale: int = 4) -> SafeString:
    """An SVG QR code of ``url`` that scales with its box (``viewBox``, no fixed size)."""
    code = segno.make(url, error="m", micro=False)
    # segno writes the markup itself from the encoded modules; the URL is not in it as text.
    return mark_safe(  # noqa: S308
        code.svg_inline(scale=scale, omitsize=True, svgclass="health-qr", lineclass=None)
    )
