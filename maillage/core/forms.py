"""Forms shared by every app's pages."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest


class FollowForm(forms.Form):
    """`?follow=1` on the page of background work: the visitor asked it to refresh itself.

    Off by default: a page that reloads on a timer the visitor did not choose fails WCAG 2.2.1
    (timing adjustable; axe-core's rule `meta-refresh`)."""

    follow = forms.BooleanField(required=False)


def follows(request: HttpRequest) -> bool:
    """Whether the page of background work refreshes itself (`<meta http-equiv="refresh">`)."""
    form = FollowForm(request.GET)
    return bool(form.is_valid() and form.cleaned_data["follow"])
