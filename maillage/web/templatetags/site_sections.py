from django import template

from maillage.core.extensions import sections

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_sections(context):
    """The menu entries the current user may open in the page's territory (no query: the view
    has already loaded `territory`)."""
    territory = context.get("territory")
    request = context.get("request")
    user = getattr(request, "user", None)
    if territory is None:
        return []
    signed_in = bool(user and user.is_authenticated)
    return [
        s
        for s in sections()
        if (signed_in or not s.signed_in_only)
        and (s.visible_to is None or s.visible_to(user, territory))
    ]
