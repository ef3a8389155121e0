"""A stock Django hello-world, served by bench/pages.py exactly as the application is: the yardstick of its pages."""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "hello-world-benchmark"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
MIDDLEWARE: list[str] = []
USE_TZ = True


def hello(request):
    return HttpResponse("Hello, world!")


urlpatterns = [path("", hello)]
