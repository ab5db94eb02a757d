"""The language switcher: a link to the same page in each language.

Links rather than a form posted to Django's `set_language`: a form needs a CSRF token, hence a
cookie and a page that differs per visitor, and no public page could then be cached (the URL
prefix already chooses the language: `/…` French, `/en/…` English).
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Each language with its local name and the current page's address in that language."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = translation.get_language()
    return [
        {
            "code": code,
            "name_local": translation.get_language_info(code)["name_local"],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
