"""The project's addresses and handlers, and a plain Django view under /api/ and outside it that refuses, as a view
or a middleware outside the API's routes would (test_api_answers_outside_routes)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from raqmana import urls


def refuse(request):
    raise PermissionDenied("Only the officer signs.")


handler403, handler404 = urls.handler403, urls.handler404
urlpatterns = [path("api/plain-refusal/", refuse), path("plain-refusal/", refuse), *urls.urlpatterns]
