from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def split(text):
    return text.split()


@register.filter
def get_field(form, name):
    return form[name]
