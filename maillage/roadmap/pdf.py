"""The PDF of a report, rendered from its HTML by WeasyPrint (needs the system's Pango)."""

from __future__ import annotations


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """Render `html` (a complete document with its own print stylesheet) to PDF bytes.

    `base_url` resolves relative links and images; the report embeds its charts as inline SVG
    and its stylesheet inline, so nothing is fetched over the network.
    """
    from weasyprint import HTML  # imported here: loading Pango is slow and only reports need it

    return HTML(string=html, base_url=base_url).write_pdf()
